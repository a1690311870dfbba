"""What POLA sells: video consultations and prepaid call minutes. TZS has two minor-unit digits in ISO 4217,
but AzamPay charges whole shillings, so every price is a whole number of shillings (a multiple of 100)."""

CONSULTATIONS = {
    "gp": ("General practitioner, 20 minutes", 1_500_000),  # TZS 15,000
    "paediatrics": ("Paediatrician, 30 minutes", 2_500_000),
    "dermatology": ("Dermatologist, 30 minutes", 3_000_000),
}
CALL_CREDITS = {
    "30": ("30 call minutes", 30, 500_000),  # TZS 5,000
    "60": ("60 call minutes", 60, 900_000),
    "120": ("120 call minutes", 120, 1_600_000),
}
# The payer's wallet, as lipwa names the network (AzamPay takes all five).
WALLETS = [("vodacom", "M-Pesa (Vodacom)"), ("tigo", "Mixx by Yas (Tigo)"), ("airtel", "Airtel Money"),
           ("halotel", "HaloPesa"), ("azampesa", "AzamPesa")]


def tzs(amount_minor: int) -> str:
    return f"TZS {amount_minor // 100:,}"
