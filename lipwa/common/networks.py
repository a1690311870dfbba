"""Which mobile network a phone number belongs to, from per-country prefix tables.

Numbers are portable, so the prefix only gives a default: callers let a merchant override it per
customer and remember the network of the last successful payment. Prefixes are national significant
numbers (without the trunk 0). Where sources disagree, a prefix lists several candidates, most likely first.
"""

from __future__ import annotations

from .phones import Phone

# Network ids are lower-case operator names; a network is identified by (country, network).
PREFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "KE": {
        **{p: ("safaricom",) for p in ("70", "71", "72", "740", "741", "742", "743", "744", "745", "746", "748",
                                       "757", "758", "759", "768", "769", "79", "110", "111", "112", "113",
                                       "114", "115")},
        **{p: ("airtel",) for p in ("73", "750", "751", "752", "753", "754", "755", "756", "762", "78", "100",
                                    "101", "102")},
        "77": ("telkom",),
    },
    "UG": {"77": ("mtn",), "78": ("mtn",), "76": ("mtn",), "79": ("mtn",), "39": ("mtn",),
           "70": ("airtel",), "74": ("airtel",), "75": ("airtel",), "20": ("airtel",)},
    # PROVIDERS.md §4.9; 069 is listed as Airtel by one source and Halotel by another.
    "TZ": {"74": ("vodacom",), "75": ("vodacom",), "76": ("vodacom",),
           "65": ("tigo",), "67": ("tigo",), "71": ("tigo",), "77": ("tigo",),
           "68": ("airtel",), "78": ("airtel",), "69": ("airtel", "halotel"),
           "61": ("halotel",), "62": ("halotel",), "73": ("ttcl",)},
    "RW": {"78": ("mtn",), "79": ("mtn",), "72": ("airtel",), "73": ("airtel",)},
    "ZM": {"76": ("mtn",), "96": ("mtn",), "77": ("airtel",), "97": ("airtel",), "75": ("zamtel",),
           "95": ("zamtel",)},
    "GH": {**{p: ("mtn",) for p in ("24", "25", "53", "54", "55", "59")},
           "20": ("telecel",), "50": ("telecel",),
           **{p: ("airteltigo",) for p in ("26", "27", "56", "57")}},
    # Côte d'Ivoire and Benin keep the leading 0 inside the national significant number.
    "CI": {"07": ("orange",), "05": ("mtn",), "01": ("moov",)},  # ten-digit plan since 2021
    # PROVIDERS.md §5.7: Benin's ten-digit plan (prefix 01) since 2023.
    "BJ": {**{p: ("mtn",) for p in ("0142", "0146", "0150", "0151", "0152", "0153", "0154", "0156", "0157", "0159",
                                    "0161", "0162", "0166", "0167", "0169", "0190", "0191", "0192", "0193", "0196",
                                    "0197")},
           **{p: ("moov",) for p in ("0145", "0155", "0158", "0160", "0163", "0164", "0165", "0168", "0194", "0195",
                                     "0198", "0199")},
           **{p: ("celtiis",) for p in ("0140", "0141", "0143", "0144", "0147")}},
    "CM": {"67": ("mtn",), "650": ("mtn",), "651": ("mtn",), "652": ("mtn",), "653": ("mtn",),
           "654": ("mtn",), "68": ("mtn",), "69": ("orange",), "655": ("orange",), "656": ("orange",),
           "657": ("orange",), "658": ("orange",), "659": ("orange",), "640": ("orange",)},
    "ZW": {"77": ("econet",), "78": ("econet",), "71": ("netone",), "73": ("telecel",)},
    "SN": {"77": ("orange",), "78": ("orange",), "76": ("free",), "70": ("expresso",)},
    "TG": {"90": ("togocom",), "91": ("togocom",), "92": ("togocom",), "93": ("togocom",), "70": ("togocom",),
           "96": ("moov",), "97": ("moov",), "98": ("moov",), "99": ("moov",), "79": ("moov",)},
    "MW": {"99": ("airtel",), "98": ("airtel",), "88": ("tnm",), "89": ("tnm",)},
}


def detect_networks(phone: Phone) -> tuple[str, ...]:
    """Candidate networks for `phone`, most likely first; empty when the prefix is unknown."""
    table = PREFIXES.get(phone.country, {})
    national = phone.national_significant
    for length in range(min(4, len(national)), 0, -1):
        candidates = table.get(national[:length])
        if candidates:
            return candidates
    return ()


def known_networks(country: str) -> set[str]:
    return {network for candidates in PREFIXES.get(country, {}).values() for network in candidates}
