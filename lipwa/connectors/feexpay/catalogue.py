"""FeexPay's provider catalogue and every other FeexPay assumption, in one place (PROVIDERS.md §5).

PROVIDERS.md §5 is thin: no official API reference was readable, facts come from public integrations, and
much is marked (A). The "seed 001" catalogue the issue names is not in the shared docs, so the catalogue below
is built from §5 (networks per country, limits) and DESIGN.md §2 (countries, currencies). Every figure or wire
detail that is ours rather than the gateway's is marked (A) (our assumption) or (P) (a project decision) here,
and nowhere else: the client, the webhook code and the simulator import these names, so correcting an
assumption is one edit. The simulator's docstring lists the same assumptions for its readers.

Amounts are in minor units; XOF and XAF have no minor unit (ISO 4217 exponent 0), so 1000 means XOF 1,000.
Fees use the shape of a connector account's fee rule (`{"fixed": minor units, "percent_bps": basis points}`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# -- providers ------------------------------------------------------------------------------------------------

MOBILE_MONEY = "mobile_money"
CARD = "card"

# Per-payment limits of a request to pay, whole XOF/XAF: min 100, max 2,000,000 (§5.2, V community quoting the
# V2 docs). PROVIDERS.md quotes them for FeexPay as a whole; applying them to each network is our reading.
MOBILE_MONEY_MIN = 100
MOBILE_MONEY_MAX = 2_000_000
# (A) FeexPay publishes no price list that we could read; 1.7 % on mobile money and 3.5 % on cards, no fixed part,
# are placeholders an operator replaces with the figures of their own FeexPay contract.
MOBILE_MONEY_FEE_BPS = 170
CARD_FEE_BPS = 350


@dataclass(frozen=True, slots=True)
class Provider:
    """One way to pay through FeexPay: a mobile-money network of one country, or cards in one currency."""

    id: str
    name: str
    method: str  # MOBILE_MONEY or CARD
    country: str | None  # ISO 3166 alpha-2; None for cards (any payer, hosted page)
    network: str | None  # lipwa's network id (lipwa.common.networks) for mobile money; None for cards
    feexpay_network: str | None  # the last path segment of the request to pay (§5.2); None for cards
    currency: str
    amount_min: int  # minor units
    amount_max: int  # minor units
    fee_fixed: int = 0  # minor units
    fee_bps: int = MOBILE_MONEY_FEE_BPS
    # Names of the fields above that are our assumption (A) rather than PROVIDERS.md fact (V).
    assumed: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict:
        """The shape served by `GET /v1/providers`: plain JSON types, amounts in minor units."""
        return {
            "id": self.id, "name": self.name, "method": self.method, "country": self.country,
            "network": self.network, "feexpay_network": self.feexpay_network, "currency": self.currency,
            "amount_min": self.amount_min, "amount_max": self.amount_max,
            "fee": {"fixed": self.fee_fixed, "percent_bps": self.fee_bps},
            "assumed": sorted(self.assumed),
        }


_FEE = frozenset({"fee"})
# The network segment of countries PROVIDERS.md §5.2 does not list (CM, GA, GW) follows the `<operator>_<cc>`
# pattern of the listed ones (A), and the §5.2 limits are applied to them unconfirmed (A).
_UNLISTED = frozenset({"feexpay_network", "amount_min", "amount_max", "fee"})


def _mm(country: str, network: str, segment: str, name: str, currency: str = "XOF",
        assumed: frozenset[str] = _FEE) -> Provider:
    return Provider(id=f"{network}_{country.lower()}", name=name, method=MOBILE_MONEY, country=country,
                    network=network, feexpay_network=segment, currency=currency, amount_min=MOBILE_MONEY_MIN,
                    amount_max=MOBILE_MONEY_MAX, assumed=assumed)


def _card(currency: str, amount_min: int, amount_max: int, assumed: frozenset[str]) -> Provider:
    return Provider(id=f"card_{currency.lower()}", name=f"Card ({currency})", method=CARD, country=None,
                    network=None, feexpay_network=None, currency=currency, amount_min=amount_min,
                    amount_max=amount_max, fee_bps=CARD_FEE_BPS, assumed=assumed)


PROVIDERS: tuple[Provider, ...] = (
    # Benin: 10-digit numbers since 2023 (§5.7). Celtiis's segment is `celtiis_bj`, not `celtiis` (§5.2, V).
    _mm("BJ", "mtn", "mtn", "MTN Mobile Money (Benin)"),
    _mm("BJ", "moov", "moov", "Moov Money (Benin)"),
    _mm("BJ", "celtiis", "celtiis_bj", "Celtiis Cash (Benin)"),
    # Côte d'Ivoire (§5.2, V).
    _mm("CI", "orange", "orange_ci", "Orange Money (Côte d'Ivoire)"),
    _mm("CI", "mtn", "mtn_ci", "MTN Mobile Money (Côte d'Ivoire)"),
    _mm("CI", "moov", "moov_ci", "Moov Money (Côte d'Ivoire)"),
    # Wave is a wallet on any number: no prefix finds it, so payers choose it explicitly (network "wave").
    _mm("CI", "wave", "wave_ci", "Wave (Côte d'Ivoire)"),
    # Senegal (§5.2, V).
    _mm("SN", "orange", "orange_sn", "Orange Money (Senegal)"),
    _mm("SN", "free", "free_sn", "Free Money (Senegal)"),
    _mm("SN", "wave", "wave_sn", "Wave (Senegal)"),
    # Togo (§5.2, V; confirmed by several integrations).
    _mm("TG", "togocom", "togocom_tg", "TMoney (Togocom, Togo)"),
    _mm("TG", "moov", "moov_tg", "Flooz (Moov, Togo)"),
    # DESIGN.md §2 lists these countries for FeexPay; PROVIDERS.md §5.2 has no endpoint for them (A).
    _mm("CM", "mtn", "mtn_cm", "MTN Mobile Money (Cameroon)", "XAF", _UNLISTED),
    _mm("CM", "orange", "orange_cm", "Orange Money (Cameroon)", "XAF", _UNLISTED),
    _mm("GA", "airtel", "airtel_ga", "Airtel Money (Gabon)", "XAF", _UNLISTED),
    _mm("GA", "moov", "moov_ga", "Moov Money (Gabon)", "XAF", _UNLISTED),
    _mm("GW", "orange", "orange_gw", "Orange Money (Guinea-Bissau)", "XOF", _UNLISTED),
    _mm("GW", "mtn", "mtn_gw", "MTN Mobile Money (Guinea-Bissau)", "XOF", _UNLISTED),
    # Cards go through FeexPay's hosted page (§5.1, §5.5). XOF is FeexPay's own currency; EUR and USD card
    # acquiring is DESIGN.md §2's and unconfirmed (A), as are all card limits (A). FeexPay amounts are whole
    # units (§5.2), so card amounts are whole euros/dollars too (A): EUR 1 to EUR 3,000.
    _card("XOF", MOBILE_MONEY_MIN, MOBILE_MONEY_MAX, frozenset({"amount_min", "amount_max", "fee"})),
    _card("EUR", 100, 300_000, frozenset({"currency", "amount_min", "amount_max", "fee"})),
    _card("USD", 100, 300_000, frozenset({"currency", "amount_min", "amount_max", "fee"})),
)

COUNTRIES = frozenset(p.country for p in PROVIDERS if p.country)
CURRENCIES = frozenset(p.currency for p in PROVIDERS)
NETWORKS = frozenset(p.network for p in PROVIDERS if p.network)
CARD_CURRENCIES = frozenset(p.currency for p in PROVIDERS if p.method == CARD)
# Country calling codes, for checking that a phone belongs to the network's country (§5.2: phoneNumber is the
# country code followed by the national number).
CALLING_CODES = {"BJ": "229", "CI": "225", "SN": "221", "TG": "228", "CM": "237", "GA": "241", "GW": "245"}


def providers(country: str | None = None) -> list[Provider]:
    """Every provider, or those a payer in `country` can use (its networks plus cards); [] elsewhere."""
    if country is None:
        return list(PROVIDERS)
    code = country.strip().upper()
    if code not in COUNTRIES:
        return []
    return [p for p in PROVIDERS if p.country in (code, None)]


def mobile_money_provider(country: str, network: str) -> Provider | None:
    return next((p for p in PROVIDERS if p.method == MOBILE_MONEY and p.country == country
                 and p.network == network), None)


def card_provider(currency: str) -> Provider | None:
    return next((p for p in PROVIDERS if p.method == CARD and p.currency == currency), None)


def networks_of(country: str) -> list[str]:
    return [p.network for p in PROVIDERS if p.method == MOBILE_MONEY and p.country == country]


# -- other wire assumptions -----------------------------------------------------------------------------------

# (A) Sandbox and live share one host and the key selects the mode (§5.1); sandbox keys look like `test_…`.
SANDBOX_KEY_PREFIX = "test_"

# (P) Webhook authentication. §5.4 says FeexPay documents none (integrations variously compare an Authorization
# header with a secret or read an `X-Feexpay-Signature`), so lipwa requires a hex HMAC-SHA256 of the raw body,
# keyed with the account's webhook secret, in this header; unsigned or wrongly signed callbacks are refused.
WEBHOOK_SIGNATURE_HEADER = "X-Webhook-Signature"
# (P) Each webhook event carries an id, the same on every redelivery, in the body (where the signature covers
# it) and in this header; lipwa deduplicates callbacks by it. §5.4's observed fields include no such id.
WEBHOOK_ID_FIELD = "webhook_id"
WEBHOOK_ID_HEADER = "X-Webhook-Id"
# (P) Where the webhook of one request goes. FeexPay sends webhooks to the URL set in its dashboard (§5.4), so
# the real gateway presumably ignores this body field (A); the simulator, which has no dashboard, obeys it.
WEBHOOK_URL_FIELD = "webhook_url"
# (A) What FeexPay expects in answer to a webhook is undocumented; any 2xx is assumed to stop redelivery.
WEBHOOK_ACK_BODY = b'{"status": "received"}'

# Failure reasons of a FAILED transaction (§5.3, `reason`). LOW_BALANCE and PAYER_NOT_FOUND are observed (V
# community); the others are our assumption (A) of how FeexPay names a refusal, a timeout and a wrong PIN,
# chosen so that the §5.6 rule ("a reason mentioning cancel/refus → cancelled") reads them right.
REASON_LOW_BALANCE = "LOW_BALANCE"
REASON_PAYER_NOT_FOUND = "PAYER_NOT_FOUND"
REASON_CANCELLED = "CANCELLED_BY_CUSTOMER"  # (A)
REASON_TIMEOUT = "TIMEOUT"  # (A)
REASON_WRONG_PIN = "INVALID_PIN"  # (A)
REASON_CARD_DECLINED = "CARD_DECLINED"  # (A)

# (A) The hosted card page. §5.5 documents `POST /feexlink/api-create` → `{"urlPay"}` and nothing else: the link's
# id is taken as the last path segment of `urlPay`, the webhook of a payment made through a link is taken to name
# that id in `ref_link` (§5.4 lists the field, not its meaning), and the body takes a `currency` for cards in
# EUR/USD (the request to pay dropped `currency` in V2; a link may never have had one).
CARD_CURRENCY_FIELD = "currency"

# (A) `description` must be letters, digits and spaces only (5.2, V); its maximum length is undocumented, so it is
# kept short enough for an operator's prompt or statement line.
DESCRIPTION_MAX_CHARS = 100
