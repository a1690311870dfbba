"""Phone numbers: parse what people type into E.164 and mask numbers for logs."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

_TYPED_NOISE = re.compile(r"[\s\-().]")
# Generous for "+254 (0) 712-345-678" and friends; anything longer is not something a person typed as a phone.
_TYPED_LENGTH_MAX = 40


class InvalidPhone(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str  # +254712345678
    country: str  # ISO 3166 alpha-2, e.g. KE

    @property
    def msisdn(self) -> str:
        """The digits gateways want: country code and subscriber number, no plus sign."""
        return self.e164.lstrip("+")

    @property
    def national_significant(self) -> str:
        parsed = phonenumbers.parse(self.e164)
        return phonenumbers.national_significant_number(parsed)


def parse_phone(raw: object, default_country: str | None = None) -> Phone:
    """Accept `0712 345 678`, `+254712345678`, `254-712-345678` and the like; refuse anything else."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise InvalidPhone("phone must be a string")
    if isinstance(raw, int) and not 0 <= raw < 10**_TYPED_LENGTH_MAX:
        # str(-254712345678) would lose its sign to the dash stripping below and pass as a number.
        raise InvalidPhone("phone must be a non-negative number of sensible length")
    if len(str(raw)) > _TYPED_LENGTH_MAX:
        # Echoing even a masked megabyte into an error message (and from there into logs) helps nobody.
        raise InvalidPhone(f"phone is too long to be a phone number ({len(str(raw))} characters)")
    if isinstance(default_country, str):
        # phonenumbers only knows upper-case region codes; "ke" from a form or a settings file means KE.
        default_country = default_country.strip().upper() or None
    text = _TYPED_NOISE.sub("", str(raw))
    if not text or not re.fullmatch(r"\+?\d{6,15}", text):
        raise InvalidPhone(f"{mask_phone(str(raw))} is not a phone number")
    if not text.startswith("+") and not text.startswith("0") and default_country:
        country_code = str(phonenumbers.country_code_for_region(default_country))
        if text.startswith(country_code) and len(text) > len(country_code) + 6:
            text = "+" + text
    elif not text.startswith("+") and not text.startswith("0") and len(text) > 10:
        text = "+" + text
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else default_country)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"{mask_phone(str(raw))} is not a phone number ({exc._msg})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"{mask_phone(str(raw))} is not a valid phone number")
    region = phonenumbers.region_code_for_number(parsed)
    return Phone(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), region)


def mask_phone(value: str | None) -> str:
    """`2547****678`: the country and the last digits identify a number to a human, not to a thief."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 7) + digits[-3:]


# Where a currency is used by one country only, a local number typed without a country code (0712…)
# can only belong to that country. Shared currencies (XOF, XAF, USD, EUR) need the international form.
CURRENCY_HOME_COUNTRY = {
    "KES": "KE", "UGX": "UG", "TZS": "TZ", "RWF": "RW", "BIF": "BI", "CDF": "CD", "ZMW": "ZM", "MWK": "MW",
    "MZN": "MZ", "ETB": "ET", "GHS": "GH", "NGN": "NG", "ZAR": "ZA", "BWP": "BW", "ZWG": "ZW", "ZWL": "ZW",
    "SLE": "SL", "LRD": "LR", "GMD": "GM", "GNF": "GN", "MGA": "MG", "EGP": "EG", "MAD": "MA",
}


def default_country_for_currency(currency: str) -> str | None:
    return CURRENCY_HOME_COUNTRY.get(currency)
