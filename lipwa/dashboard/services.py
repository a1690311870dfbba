"""Dashboard staff: create users with a role for a merchant. Everything else the dashboard does goes through the
services of the app that owns the data (refunds, API keys, webhooks, connector accounts)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock, crypto
from lipwa.common.errors import InvalidRequest, NotFound
from lipwa.merchants.models import Merchant

from .models import Role, StaffMembership

PASSWORD_LENGTH_MIN = 10


def staff_create(*, merchant_id: str, email: str, role: str, password: str | None = None,
                 actor: str = "system") -> tuple[StaffMembership, str | None]:
    """Give `email` a role at a merchant, creating the user if needed.

    Returns the membership and the password of a newly created user (generated unless given; None for an
    existing user, whose password is not touched). The username is the lower-cased email.
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidRequest(f"{email!r} is not an email address", param="email") from None
    if role not in Role.values:
        raise InvalidRequest(f"role must be one of {', '.join(Role.values)}", param="role")
    if password is not None and len(password) < PASSWORD_LENGTH_MIN:
        raise InvalidRequest(f"the password must have at least {PASSWORD_LENGTH_MIN} characters", param="password")
    merchant = Merchant.objects.filter(id=merchant_id).first()
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id}", param="merchant")
    users = get_user_model().objects
    with transaction.atomic():
        user = users.select_for_update().filter(username=email).first()
        created_password = None
        if user is None:
            created_password = password or crypto.random_token(12)
            user = users.create_user(username=email, email=email, password=created_password)
        membership, created = StaffMembership.objects.get_or_create(
            user=user, merchant=merchant, defaults={"role": role, "created_at": clock.now()})
        if not created and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
        audit_record(merchant_id=merchant.id, actor=actor, action="staff.grant", object_type="staff",
                     object_id=str(membership.id), details={"email": email, "role": role})
    return membership, created_password


DEMO_STAFF_EMAIL = "admin@demo.lipwa.localhost"
DEMO_PASSWORD_FILE = "demo-admin-password"


def demo_staff_password() -> str:
    """The demo admin's password: LIPWA_DEMO_PASSWORD, else one generated at random on the first run and
    kept in VAR_DIR/demo-admin-password (readable by its owner only), so no two installations share it."""
    import os
    from pathlib import Path

    from django.conf import settings

    chosen = os.environ.get("LIPWA_DEMO_PASSWORD")
    if chosen:
        return chosen
    path = Path(settings.VAR_DIR) / DEMO_PASSWORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # an earlier run (or a process starting beside this one) chose it
        stored = path.read_text(encoding="ascii").strip()
        if stored:
            return stored
        path.unlink(missing_ok=True)  # an empty file from a run killed while writing it
        return demo_staff_password()
    password = crypto.random_token(12)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(password + "\n")
    return password


def demo_staff_ensure(*, merchant: Merchant) -> tuple[str, str]:
    """The demo merchant's admin login for `make run` / `lipwa demo`; returns (email, password).

    The password is set again on every run, so the one the banner prints always works. Only the demo
    merchant (test mode, simulator accounts) gets this user; a real deployment creates its staff with
    `staff_create`.
    """
    password = demo_staff_password()
    membership, _ = staff_create(merchant_id=merchant.id, email=DEMO_STAFF_EMAIL, role=Role.ADMIN,
                                 password=password)
    user = membership.user
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user.get_username(), password
