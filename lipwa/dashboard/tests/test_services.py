"""Staff creation (the service behind `lipwa staff create` and `manage.py staff_create`) and the demo login."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from lipwa.common.errors import InvalidRequest, NotFound
from lipwa.dashboard.charts import bar_heights
from lipwa.dashboard.selectors import percent
from lipwa.dashboard.services import demo_staff_ensure, staff_create

pytestmark = pytest.mark.django_db


def test_staff_create_makes_a_user_with_a_generated_password_once(merchant):
    membership, password = staff_create(merchant_id=merchant.id, email=" Ana@Shop.Example ", role="operator")
    assert membership.user.username == "ana@shop.example" and membership.role == "operator"
    assert password and membership.user.check_password(password)
    again, second = staff_create(merchant_id=merchant.id, email="ana@shop.example", role="admin")
    assert again.id == membership.id and again.role == "admin" and second is None
    assert again.user.check_password(password)  # an existing user's password is never touched


@pytest.mark.parametrize("fields, param", [
    ({"email": "not-an-email", "role": "admin"}, "email"),
    ({"email": "a@b.example", "role": "owner"}, "role"),
    ({"email": "a@b.example", "role": "admin", "password": "short"}, "password"),
])
def test_staff_create_refuses_bad_input_precisely(merchant, fields, param):
    with pytest.raises(InvalidRequest) as refused:
        staff_create(merchant_id=merchant.id, **fields)
    assert refused.value.param == param


def test_staff_create_for_an_unknown_merchant(db):
    with pytest.raises(NotFound):
        staff_create(merchant_id="mer_nope", email="a@b.example", role="viewer")


def test_management_command(merchant, capsys):
    call_command("staff_create", merchant=merchant.id, email="ops@shop.example", role="viewer")
    out = capsys.readouterr().out
    assert "ops@shop.example is viewer" in out and "password (shown once):" in out
    with pytest.raises(CommandError, match="no merchant"):
        call_command("staff_create", merchant="mer_nope", email="ops@shop.example", role="viewer")


def test_demo_login_always_matches_the_printed_password(merchant, monkeypatch, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("LIPWA_DEMO_PASSWORD", raising=False)
    email, password = demo_staff_ensure(merchant=merchant)
    # Generated once per installation, kept for the next runs, readable by its owner only.
    stored = tmp_path / "demo-admin-password"
    assert stored.read_text().strip() == password and len(password) >= 16 and stored.stat().st_mode & 0o077 == 0
    assert demo_staff_ensure(merchant=merchant) == (email, password)
    monkeypatch.setenv("LIPWA_DEMO_PASSWORD", "chosen-by-the-developer")
    email_again, chosen = demo_staff_ensure(merchant=merchant)
    from django.contrib.auth import authenticate

    assert email == email_again and chosen == "chosen-by-the-developer" != password
    assert authenticate(username=email, password=chosen) is not None


@given(st.lists(st.one_of(st.none(), st.integers(min_value=-5, max_value=10**12)), min_size=1, max_size=40))
def test_bars_stay_inside_the_chart_and_keep_their_order(values):
    heights = bar_heights(values, height=142)
    assert all(0 <= h <= 142 for h in heights)
    clean = [max(0, v or 0) for v in values]
    for a, ha in zip(clean, heights, strict=True):
        for b, hb in zip(clean, heights, strict=True):
            assert a > b or ha <= hb  # a larger value never gets a shorter bar
    if max(clean) > 0:
        assert max(heights) == 142


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_percent_is_integer_and_rounds_half_up(part, extra):
    whole = part + extra - 1 if part else extra
    result = percent(part, whole)
    assert isinstance(result, int) and 0 <= result <= 100
    assert abs(result * whole - 100 * part) * 2 <= whole  # within half a percent
