"""What DUSANGIRE sells. Prices are posted in RWF, and in USD for card payments (Rwandan francs are not a card
currency of the card gateway), so a card customer pays a price the shop chose, not a conversion."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_rwf: int  # RWF has no minor unit: whole francs
    price_usd_cents: int

    @property
    def prices_display(self) -> str:
        return f"{money(self.price_rwf, 'RWF')} (card: {money(self.price_usd_cents, 'USD')})"


PRODUCTS = {p.sku: p for p in (
    Product("coffee", "Rwandan coffee, 500 g", 6_500, 500),
    Product("basket", "Agaseke basket", 25_000, 1_900),
    Product("tea", "Rwandan tea, 250 g", 3_000, 250),
)}

# method → (label, lipwa method, lipwa provider)
METHODS = {
    "mtn_momo": ("MTN Mobile Money", "mobile_money", "mtn_momo"),
    "airtel": ("Airtel Money", "mobile_money", "airtel"),
    "bank_transfer": ("Bank transfer", "bank_transfer", None),
    "card": ("Card (charged in USD)", "card", "paystack"),
    "cash": ("Cash on delivery", "cash", None),
}


def money(amount_minor: int, currency: str) -> str:
    if currency == "RWF":
        return f"RWF {amount_minor:,}"
    return f"{currency} {amount_minor // 100:,}.{amount_minor % 100:02d}"
