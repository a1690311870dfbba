"""A checkout session's id is its hosted page's link: one link must not give away another."""

from __future__ import annotations

from lipwa.checkout.models import _session_id
from lipwa.common.ids import has_prefix

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _random_part(value: str) -> int:
    number = 0
    for char in value[-16:]:
        number = number * 32 + CROCKFORD.index(char)
    return number


def test_checkout_session_links_are_not_derivable_from_one_another():
    minted = [_session_id() for _ in range(1_000)]
    assert all(has_prefix(value, "cs") for value in minted) and len(set(minted)) == len(minted)
    randoms = [_random_part(value) for value in minted]
    assert not any(abs(a - b) <= 1 for a, b in zip(randoms, randoms[1:], strict=False))
