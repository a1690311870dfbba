"""Development secrets for `lipwa run`: generated once into var/, so encrypted credentials survive restarts."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from lipwa.common.crypto import generate_key_b64


def ensure_dev_secrets(var_dir: Path) -> None:
    """Fill LIPWA_SECRET_KEY and LIPWA_ENCRYPTION_KEY from var/dev-secrets.json unless already set."""
    if os.environ.get("LIPWA_SECRET_KEY") and os.environ.get("LIPWA_ENCRYPTION_KEY"):
        return
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "dev-secrets.json"
    if path.exists():
        stored = json.loads(path.read_text())
    else:
        stored = {"LIPWA_SECRET_KEY": secrets.token_urlsafe(48), "LIPWA_ENCRYPTION_KEY": generate_key_b64()}
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    for name, value in stored.items():
        os.environ.setdefault(name, value)
