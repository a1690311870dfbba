"""Phone parsing into E.164, and masking for logs."""

from __future__ import annotations

from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lipwa.common.phones import InvalidPhone, Phone, mask_phone, parse_phone


@pytest.mark.parametrize("raw", [
    "0712345678", "0712 345 678", "+254712345678", "254712345678", "254-712-345-678", "(0712) 345678",
    "+254 712 345 678", "0712-345-678", "0712.345.678", " 0712345678 ", "+254 (0) 712 345 678", "+2540712345678",
    "2540712345678", "712345678", "\t0712\u00a0345\u00a0678\n", 254712345678, 712345678,
])
def test_kenyan_formats_normalize(raw):
    phone = parse_phone(raw, "KE")
    assert phone == Phone("+254712345678", "KE")
    assert phone.msisdn == "254712345678"
    assert phone.national_significant == "712345678"


@pytest.mark.parametrize(("raw", "e164"), [
    ("0110123456", "+254110123456"), ("0100123456", "+254100123456"), ("+254111123456", "+254111123456"),
    ("254 110 123 456", "+254110123456"), ("0799999999", "+254799999999"),
])
def test_kenyan_01_and_other_ranges(raw, e164):
    assert parse_phone(raw, "KE") == Phone(e164, "KE")


@pytest.mark.parametrize("country", ["ke", "Ke", " KE "])
def test_default_country_is_case_insensitive(country):
    assert parse_phone("0712345678", country).e164 == "+254712345678"


@pytest.mark.parametrize(("raw", "default_country", "e164", "region"), [
    ("0754123456", "TZ", "+255754123456", "TZ"),
    ("+255754123456", None, "+255754123456", "TZ"),
    ("255 621 234 567", "TZ", "+255621234567", "TZ"),
    ("+256772123456", None, "+256772123456", "UG"),
    ("0772 123 456", "UG", "+256772123456", "UG"),
    ("256701234567", None, "+256701234567", "UG"),
    ("+250788123456", None, "+250788123456", "RW"),
    ("0788123456", "RW", "+250788123456", "RW"),
    ("+233244123456", None, "+233244123456", "GH"),
    ("024 412 3456", "GH", "+233244123456", "GH"),
    ("+263771234567", None, "+263771234567", "ZW"),
    ("077 123 4567", "ZW", "+263771234567", "ZW"),
    ("+229 01 97 12 34 56", None, "+2290197123456", "BJ"),
    ("01 97 12 34 56", "BJ", "+2290197123456", "BJ"),
    ("+225 07 01 23 45 67", None, "+2250701234567", "CI"),
    ("07 01 23 45 67", "CI", "+2250701234567", "CI"),
    ("2250701234567", "CI", "+2250701234567", "CI"),
    ("+237 6 71 23 45 67", None, "+237671234567", "CM"),
    ("671234567", "CM", "+237671234567", "CM"),
    # An explicit country code wins over the default country.
    ("+255754123456", "KE", "+255754123456", "TZ"),
    ("+254712345678", "UG", "+254712345678", "KE"),
])
def test_other_countries(raw, default_country, e164, region):
    parsed = phonenumbers.parse(e164)
    assert phonenumbers.is_valid_number(parsed), "the example itself must be a valid number"
    assert parse_phone(raw, default_country) == Phone(e164, region)


def test_international_digits_without_plus_and_without_default_country():
    assert parse_phone("254712345678").e164 == "+254712345678"
    assert parse_phone("+254712345678").e164 == "+254712345678"


@pytest.mark.parametrize("raw", ["0712345678", "712345678"])
def test_local_formats_need_a_default_country(raw):
    with pytest.raises(InvalidPhone):
        parse_phone(raw)


GARBAGE = [
    "", " ", "abc", "+", "++", "123", "07123", "0712", "0712345", "071234567", "07123456789", "+25471234567",
    "+2547123456789", "++254712345678", "254+712345678", "0712345678x", "0712 345 678 ext", "0712345678\x00",
    "+000000000", "0000000000", "+999712345678", "0812345678", "phone: 0712345678", "0712/345/678",
    "0" * 1000, "+254712345678" * 10, "7" * 100_000, "+254712345678;DROP TABLE", "--0712345678--x",
    None, 3.5, 712345678.0, True, False, b"0712345678", Decimal("712345678"), ["0712345678"], {"phone": 1},
    -254712345678, -712345678, 10**50, 10**5000,
]


@pytest.mark.parametrize("raw", GARBAGE, ids=[f"{type(v).__name__}{i}" for i, v in enumerate(GARBAGE)])
def test_garbage_is_refused(raw):
    with pytest.raises(InvalidPhone) as info:
        parse_phone(raw, "KE")
    message = str(info.value)
    assert len(message) < 200
    shown = raw if isinstance(raw, str) else repr(raw) if not isinstance(raw, int) or raw < 10**100 else ""
    digits = "".join(ch for ch in shown if ch.isdigit())
    if len(digits) >= 4:
        assert digits not in "".join(ch for ch in message if ch.isdigit())


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhone, ValueError)


@pytest.mark.parametrize("raw", ["+25471234567", "07123456789", "0812345678", "+999712345678", "0712345678x"])
def test_error_message_masks_the_number(raw):
    with pytest.raises(InvalidPhone) as info:
        parse_phone(raw, "KE")
    assert raw not in str(info.value)
    assert "*" in str(info.value)


def test_unknown_default_country_is_refused():
    with pytest.raises(InvalidPhone):
        parse_phone("0712345678", "ZZ")


_KE_SUBSCRIBER = st.from_regex(r"\A[17][0-9]{8}\Z").filter(
    lambda sub: phonenumbers.is_valid_number(phonenumbers.parse("+254" + sub))
)


@st.composite
def _typed(draw, digits: str) -> str:
    """`digits` as a person might type it: separators sprinkled in, maybe a bracketed area."""
    out = []
    for index, char in enumerate(digits):
        if index and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from([" ", "-", "  ", " - ", "."])))
        out.append(char)
    return draw(st.sampled_from(["", " "])) + "".join(out) + draw(st.sampled_from(["", " ", "\n"]))


@given(_KE_SUBSCRIBER, st.data())
@example("712345678", None)
@example("110123456", None)
def test_every_kenyan_format_normalizes_to_one_e164(subscriber, data):
    expected = Phone("+254" + subscriber, "KE")
    forms = ["0" + subscriber, "+254" + subscriber, "254" + subscriber, subscriber, "+2540" + subscriber]
    if data is not None:
        forms = [data.draw(_typed(form)) for form in forms]
    for form in forms:
        assert parse_phone(form, "KE") == expected, form
    assert parse_phone("+254" + subscriber) == expected
    assert parse_phone(int("254" + subscriber), "KE") == expected
    # Parsing is idempotent over both output forms.
    assert parse_phone(expected.e164) == expected
    assert parse_phone(expected.msisdn, "KE") == expected


@given(_KE_SUBSCRIBER, st.sampled_from(["TZ", "UG", "RW", "GH", "ZW", "CI", None]))
def test_plus_254_wins_over_any_default_country(subscriber, default_country):
    assert parse_phone("+254 " + subscriber, default_country).e164 == "+254" + subscriber


@given(st.text(max_size=60), st.sampled_from(["KE", "TZ", "UG", "CI", None]))
def test_anything_either_parses_or_raises_invalid_phone(raw, default_country):
    try:
        phone = parse_phone(raw, default_country)
    except InvalidPhone:
        return
    assert phone.e164.startswith("+")
    assert phone.e164[1:].isdigit() and phone.e164.isascii()
    assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164))


@given(st.from_regex(r"\A\+?[0-9]{4,20}\Z"))
def test_refusals_never_echo_the_whole_number(raw):
    try:
        parse_phone(raw, "KE")
    except InvalidPhone as exc:
        assert raw.lstrip("+") not in str(exc)


@pytest.mark.parametrize(("value", "masked"), [
    ("254712345678", "2547*****678"),
    ("+254712345678", "+254******678"),
    ("0712345678", "0712***678"),
    ("12345678", "1234*678"),
    ("1234567", "*******"),
    ("123", "***"),
    ("", ""),
    (None, ""),
])
def test_mask_phone_examples(value, masked):
    assert mask_phone(value) == masked


@given(st.from_regex(r"\A\+?[0-9]{8,15}\Z"))
def test_mask_phone_hides_the_middle(value):
    masked = mask_phone(value)
    assert len(masked) == len(value)
    assert masked[:4] == value[:4]
    assert masked[-3:] == value[-3:]
    middle = masked[4:-3]
    assert middle and set(middle) == {"*"}
    assert masked != value


@given(st.from_regex(r"\A[0-9]{0,7}\Z"))
def test_mask_phone_hides_short_values_entirely(value):
    masked = mask_phone(value)
    assert set(masked) <= {"*"}
    assert len(masked) == len(value)


def test_phone_is_a_value_object():
    phone = parse_phone("0712345678", "KE")
    assert phone == parse_phone("+254 712 345 678")
    assert hash(phone) == hash(parse_phone("254712345678", "KE"))
    with pytest.raises(AttributeError):
        phone.e164 = "+254700000000"  # type: ignore[misc]
