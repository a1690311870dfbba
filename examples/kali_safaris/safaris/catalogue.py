"""Kali Safaris' trips. Prices per traveller in USD and ZWG (both two minor-unit digits); Paynow takes either."""

SAFARIS = {
    "hwange": ("Hwange 3-day game drive", {"USD": 45_000, "ZWG": 1_200_000}),  # USD 450.00, ZWG 12,000.00
    "mana": ("Mana Pools 4-day canoe trail", {"USD": 82_000, "ZWG": 2_190_000}),
    "falls": ("Victoria Falls day tour", {"USD": 9_500, "ZWG": 254_000}),
}
CURRENCIES = ("USD", "ZWG")
# Paynow express checkout wallets, as lipwa names them. EcoCash and OneMoney follow from the number's prefix;
# InnBucks is a wallet on any number, so only a payer who says so can use it.
WALLETS = [("econet", "EcoCash"), ("netone", "OneMoney"), ("innbucks", "InnBucks")]


def money(amount_minor: int, currency: str) -> str:
    return f"{currency} {amount_minor // 100:,}.{amount_minor % 100:02d}"


def deposit_of(total: int) -> int:
    """Half, rounded down to a minor unit; the balance takes the odd cent, so deposit + balance == total."""
    return total // 2
