"""Proof-of-collection photos: checked (an image, not too large) and stored by content hash.

The type is judged from the bytes themselves, never from what the caller declares, so a renamed PDF or a
script is refused. Bytes are stored under `settings.VAR_DIR/media/cash/<sha256>.<ext>`: the name is the
digest, so storing the same photo twice is harmless and a row's `photo_sha256` always names its file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from lipwa.common.errors import InvalidRequest

log = logging.getLogger("lipwa.cash")

PHOTO_MAX_BYTES = 128 * 1024  # a phone photo resized for proof; keeps the JSON body under the API's 256 KiB
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# Base64 makes 3 bytes 4 characters; anything longer than this cannot decode to an allowed photo.
PHOTO_BASE64_MAX_CHARS = (PHOTO_MAX_BYTES + 2) // 3 * 4


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str  # sniffed from the bytes
    sha256: str


def _refused(message: str, code: str, param: str = "photo") -> InvalidRequest:
    log.warning("cash photo refused (%s): %s", code, message)
    return InvalidRequest(message, param=param, code=code)


def photo_from_base64(encoded: str, declared_type: str | None = None) -> Photo:
    """Decode a photo sent in a JSON body; the length is checked before decoding anything."""
    if len(encoded) > PHOTO_BASE64_MAX_CHARS:
        raise _refused(f"photo is larger than {PHOTO_MAX_BYTES} bytes (resize it)", "photo_too_large")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refused("photo is not valid base64", "photo_not_base64") from None
    return photo_check(content, declared_type)


def photo_check(content: bytes, declared_type: str | None = None) -> Photo:
    """A Photo, or InvalidRequest naming what is wrong (`photo_too_large`, `photo_not_image`)."""
    if not content:
        raise _refused("photo is empty", "photo_not_image")
    if len(content) > PHOTO_MAX_BYTES:
        raise _refused(f"photo is {len(content)} bytes; the limit is {PHOTO_MAX_BYTES} bytes (resize it)",
                       "photo_too_large")
    sniffed = _sniff(content)
    if sniffed is None:
        raise _refused("photo is not a JPEG, PNG or WebP image", "photo_not_image")
    if declared_type and declared_type != sniffed:
        raise _refused(f"photo is declared {declared_type} but its bytes are {sniffed}", "photo_type_mismatch",
                       param="photo_content_type")
    return Photo(content=content, content_type=sniffed, sha256=hashlib.sha256(content).hexdigest())


def _sniff(content: bytes) -> str | None:
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def photo_path(sha256: str, content_type: str) -> Path:
    return Path(settings.VAR_DIR) / "media" / "cash" / f"{sha256}.{_EXTENSIONS[content_type]}"


def photo_store(photo: Photo) -> Path:
    """Write the bytes (atomically: a reader never sees half a file). A file left by a rolled-back
    collection is harmless: it is content-addressed and a retry reuses it."""
    path = photo_path(photo.sha256, photo.content_type)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(photo.content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
