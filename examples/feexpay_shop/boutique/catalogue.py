"""What Boutique Sika sells, and where. Prices are in XOF (no minor unit: whole francs CFA), the currency of
every country below; how a customer can pay in each country comes from lipwa (`providers.list`), not from here."""

PRODUCTS = {
    "pagne": ("Pagne wax, 6 yards", 12_000),
    "sac": ("Sac en raphia", 8_500),
    "karite": ("Beurre de karité, 500 g", 3_000),
}
# country → (name, calling code, digits of a national mobile number)
COUNTRIES = {
    "BJ": ("Bénin", "229", 10),
    "CI": ("Côte d'Ivoire", "225", 10),
    "SN": ("Sénégal", "221", 9),
    "TG": ("Togo", "228", 8),
}


def xof(amount: int) -> str:
    return f"{amount:,} XOF".replace(",", " ")
