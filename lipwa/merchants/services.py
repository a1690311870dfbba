"""Merchants, API keys and connector accounts: creation, authentication, credentials."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock, crypto
from lipwa.common.errors import AuthenticationFailed, InvalidRequest, NotFound
from lipwa.connectors.registry import UnknownConnector, connector_class
from lipwa.connectors.types import AccountContext

from .models import ApiKey, ConnectorAccount, Merchant

# \Z rather than $, because $ also matches before a trailing newline and would let "sk_test_…\n" through.
API_KEY_PATTERN = re.compile(r"^sk_(test|live)_[A-Za-z0-9_-]{16,100}\Z")


def merchant_create(*, name: str) -> Merchant:
    if not name or not name.strip():
        raise InvalidRequest("merchant name must not be empty", param="name")
    return Merchant.objects.create(name=name.strip()[:200])


def api_key_create(*, merchant: Merchant, mode: str, name: str = "", raw_key: str | None = None) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored and never shown again."""
    if mode not in ("test", "live"):
        raise InvalidRequest("mode must be 'test' or 'live'", param="mode")
    raw = raw_key or f"sk_{mode}_{crypto.random_token(24)}"
    match = API_KEY_PATTERN.match(raw)
    if not match or match.group(1) != mode:
        raise InvalidRequest(f"an API key must look like sk_{mode}_ followed by at least 16 letters or digits",
                             param="key")
    try:
        with transaction.atomic():
            key = ApiKey.objects.create(merchant=merchant, mode=mode, name=name, key_hash=crypto.sha256_hex(raw),
                                        last4=raw[-4:])
    except IntegrityError:
        # Only a caller-chosen raw_key can collide; a database error here would be a 500 for a bad input.
        raise InvalidRequest("this API key already exists; choose another", param="key",
                             code="api_key_exists") from None
    return key, raw


def api_key_authenticate(raw: str | None) -> ApiKey:
    """Resolve a bearer key to its (unrevoked) ApiKey, or raise AuthenticationFailed with the reason."""
    if not raw:
        raise AuthenticationFailed("no API key: send 'Authorization: Bearer sk_test_…'", code="missing_api_key")
    if not API_KEY_PATTERN.match(raw):
        raise AuthenticationFailed("malformed API key: keys look like sk_test_… or sk_live_…")
    # [:1], not first(): every request runs this, and first() makes the ORM compile an ORDER BY each time.
    found = list(ApiKey.objects.select_related("merchant").filter(key_hash=crypto.sha256_hex(raw))[:1])
    key = found[0] if found else None
    if key is None:
        raise AuthenticationFailed(f"invalid API key {crypto.mask_secret(raw)}")
    if key.revoked_at is not None:
        raise AuthenticationFailed(f"API key {key.masked} was revoked", code="api_key_revoked")
    now = clock.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:  # one write a minute at most
        ApiKey.objects.filter(id=key.id).update(last_used_at=now)
    return key


def api_key_revoke(*, key_id: str) -> ApiKey:
    key = ApiKey.objects.filter(id=key_id).first()
    if key is None:
        raise NotFound(f"no API key {key_id}", param="key")
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
    return key


def connector_account_create(*, merchant: Merchant, connector: str, mode: str, credentials: dict[str, str],
                             name: str = "", timeout_seconds: float = 30.0, actor: str = "system"
                             ) -> ConnectorAccount:
    try:
        cls = connector_class(connector)
    except UnknownConnector as exc:
        raise InvalidRequest(str(exc), param="connector") from None
    if mode not in ("test", "live"):
        raise InvalidRequest("mode must be 'test' or 'live'", param="mode")
    missing = [f.name for f in cls.credential_fields if f.required and not credentials.get(f.name) and not f.default]
    if missing:
        raise InvalidRequest(f"missing credentials for {connector}: {', '.join(missing)}", param="credentials")
    values = {f.name: str(credentials.get(f.name) or f.default or "") for f in cls.credential_fields}
    _check_environment(mode, cls, values)
    with transaction.atomic():
        account = ConnectorAccount(merchant=merchant, connector=connector, mode=mode, name=name,
                                   timeout_seconds=timeout_seconds)
        account.set_credentials(values)
        account.save()
        # Which fields were set, never their values.
        audit_record(merchant_id=merchant.id, actor=actor, action="credentials.create", object_type="connector_account",
                     object_id=account.id, details={"connector": connector, "mode": mode, "fields": sorted(values)})
    return account


def _check_environment(mode: str, cls, values: dict[str, str]) -> None:
    """Live accounts never point at a simulator or a sandbox (a sandbox "succeeds" without moving money);
    test accounts never reach a production gateway. The connector says which environment its credentials
    name (by host for most gateways, by key prefix for some)."""
    for name, url in values.items():
        if name.endswith("base_url") and url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise InvalidRequest(f"{name} {url!r} is not an http(s) URL", param=f"credentials.{name}")
    environment = cls.environment_of(values)
    if mode == "live" and environment not in ("production", "offline"):
        raise InvalidRequest(f"a live connector account cannot point at a {environment}; give the production "
                             "credentials and URLs", param="credentials.base_url")
    if mode == "test" and environment == "production":
        raise InvalidRequest("a test connector account must point at a simulator or a gateway sandbox",
                             param="credentials.base_url")


def callback_token(account: ConnectorAccount) -> str:
    """The unguessable secret in this account's callback URL, derived so it never needs storing."""
    return crypto.hmac_hex(settings.SECRET_KEY, f"callback:{account.id}:{account.callback_salt}")[:40]


def callback_url(account: ConnectorAccount) -> str:
    slug = connector_class(account.connector).callback_slug
    return f"{settings.LIPWA_PUBLIC_URL}/hooks/{slug}/{account.id}/{callback_token(account)}/"


def account_context(account: ConnectorAccount) -> AccountContext:
    return AccountContext(account_id=account.id, connector=account.connector, mode=account.mode,
                          credentials=account.get_credentials(), callback_url=callback_url(account),
                          timeout_seconds=account.timeout_seconds)


def connector_account_get(account_id: str) -> ConnectorAccount | None:
    return ConnectorAccount.objects.filter(id=account_id).first()


def demo_merchant_ensure(*, raw_key: str | None, simulator_base_url: str) -> tuple[Merchant, str]:
    """The demo merchant of `make run`: one test key and a simulator account for every connector."""
    from lipwa.connectors.registry import connector_ids

    merchant = Merchant.objects.filter(name="Demo merchant").first() or merchant_create(name="Demo merchant")
    existing = ApiKey.objects.filter(key_hash=crypto.sha256_hex(raw_key)).first() if raw_key else None
    if existing is None:
        _, raw_key = api_key_create(merchant=merchant, mode="test", name="demo", raw_key=raw_key)
    elif existing.revoked_at is not None or existing.merchant_id != merchant.id or existing.mode != "test":
        # Reusing it would print a key that fails (revoked) or that acts for another merchant or mode.
        raise InvalidRequest(f"the demo API key {existing.masked} is revoked or belongs to another merchant; "
                             "choose another", param="key", code="api_key_exists")
    for connector in connector_ids():
        if not merchant.connector_accounts.filter(connector=connector, mode="test", is_active=True).exists():
            cls = connector_class(connector)
            credentials = cls.simulator_credentials(f"{simulator_base_url}/simulators/{connector}")
            connector_account_create(merchant=merchant, connector=connector, mode="test",
                                     credentials=credentials, name=f"{cls.display_name} simulator")
    return merchant, raw_key


def connector_account_configure(*, account: ConnectorAccount, limits: dict | None = None,
                                fees: dict | None = None, actor: str = "system") -> ConnectorAccount:
    """Set per-currency amount limits ({"KES": {"min": 100, "max": 25000000}}) and fee rules
    ({"KES": {"fixed": 0, "percent_bps": 150}}), all in integer minor units / basis points."""
    from lipwa.common.money import CurrencyError, currency_exponent

    def check(table: dict, allowed: set[str], name: str) -> dict:
        if not isinstance(table, dict):
            raise InvalidRequest(f"{name} must be an object keyed by currency", param=name)
        for currency, rule in table.items():
            try:
                currency_exponent(currency)
            except CurrencyError:
                raise InvalidRequest(f"{name}: unknown currency {currency!r}", param=f"{name}.{currency}") from None
            if not isinstance(rule, dict) or not set(rule) <= allowed or not rule:
                raise InvalidRequest(f"{name}.{currency} must have keys among {sorted(allowed)}",
                                     param=f"{name}.{currency}")
            for key, value in rule.items():
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise InvalidRequest(f"{name}.{currency}.{key} must be a non-negative integer",
                                         param=f"{name}.{currency}.{key}")
        return table

    if limits is not None:
        for currency, rule in check(limits, {"min", "max"}, "limits").items():
            if "min" in rule and "max" in rule and rule["min"] > rule["max"]:
                raise InvalidRequest(f"limits.{currency}: min is above max", param=f"limits.{currency}")
        account.limits = limits
    if fees is not None:
        for currency, rule in check(fees, {"fixed", "percent_bps"}, "fees").items():
            if rule.get("percent_bps", 0) > 10_000:
                raise InvalidRequest(f"fees.{currency}.percent_bps must be at most 10000 (100 %)",
                                     param=f"fees.{currency}.percent_bps")
        account.fees = fees
    with transaction.atomic():
        account.save(update_fields=["limits", "fees", "updated_at"])
        audit_record(merchant_id=account.merchant_id, actor=actor, action="connector_account.configure",
                     object_type="connector_account", object_id=account.id,
                     details={"limits": account.limits, "fees": account.fees})
    return account


def merchant_configure(*, merchant: Merchant, settlement_currency: str | None = None,
                       refund_approval_thresholds: dict | None = None, actor: str = "system") -> Merchant:
    """The merchant's settlement currency (payments in others show a conversion, display only) and the
    per-currency refund amounts above which a second person must approve."""
    from lipwa.common.money import CurrencyError, currency_exponent

    def known(currency: str, param: str) -> None:
        try:
            currency_exponent(currency)
        except CurrencyError:
            raise InvalidRequest(f"{currency!r} is not a currency lipwa supports", param=param) from None

    if settlement_currency is not None:
        if settlement_currency:
            known(settlement_currency, "settlement_currency")
        merchant.settlement_currency = settlement_currency
    if refund_approval_thresholds is not None:
        if not isinstance(refund_approval_thresholds, dict):
            raise InvalidRequest("refund approval thresholds must map currencies to amounts",
                                 param="refund_approval_thresholds")
        for currency, amount in refund_approval_thresholds.items():
            known(currency, f"refund_approval_thresholds.{currency}")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                raise InvalidRequest(f"the {currency} threshold must be a non-negative integer of minor units",
                                     param=f"refund_approval_thresholds.{currency}")
        merchant.refund_approval_thresholds = refund_approval_thresholds
    with transaction.atomic():
        merchant.save(update_fields=["settlement_currency", "refund_approval_thresholds"])
        audit_record(merchant_id=merchant.id, actor=actor, action="merchant.configure", object_type="merchant",
                     object_id=merchant.id, details={"settlement_currency": merchant.settlement_currency,
                                                     "refund_approval_thresholds": merchant.refund_approval_thresholds})
    return merchant


def connector_account_test(*, account: ConnectorAccount) -> list[tuple[str, bool, str]]:
    """Check an account without moving money: its credentials pass the connector's own validation
    (`<connector>/credentials.py`); then the connector's credentials probe (an OAuth token or an authenticated
    read, `Connector.credentials_probe`) proves the gateway accepts them, and every other gateway URL in them
    is checked to answer over HTTP. Returns [(check, passed, message)], one check per `*base_url`; messages
    never contain a secret."""
    import importlib
    import inspect
    import logging

    from lipwa.common.http import GatewayUnreachable, HttpClient, OutcomeUnknown
    from lipwa.connectors.errors import ConnectorConfigError, NotSupported

    cls = connector_class(account.connector)
    values = account.get_credentials()
    checks: list[tuple[str, bool, str]] = []
    module = importlib.import_module(cls.__module__.rsplit(".", 1)[0] + ".credentials")
    validate = getattr(module, "credentials_validate", None)
    if validate is None:  # a rail with nothing gateway-specific to check (cash): only required fields
        from lipwa.connectors.credentials import FieldSet

        fields = FieldSet(cls.credential_fields)
        errors = fields.missing(fields.resolve(values))
    elif "mode" in inspect.signature(validate).parameters:
        errors = validate(values, mode=account.mode)
    else:
        errors = validate(values)
    checks.append(("credentials", not errors, "; ".join(f"{k}: {v}" for k, v in sorted(errors.items()))
                   or f"every {cls.display_name} field is usable"))
    urls = sorted((name, url) for name, url in values.items() if name.endswith("base_url") and url)
    if not urls:
        checks.append(("gateway", True, f"{cls.display_name} reaches no gateway (settled offline)"))
        return checks
    # Unusable credentials are not sent to the gateway: only whether it answers is checked, and said so.
    caveat = "credentials not tried until the fields above are fixed" if errors else ""
    probe_field, probe_check = cls.credentials_probe_url_field, None
    if not errors and probe_field in dict(urls):
        try:
            probe = cls(account_context(account)).credentials_probe()
            probe_check = (probe.passed, probe.message)
        except NotSupported as exc:
            caveat = f"{exc}; only reachability was checked"
        except ConnectorConfigError as exc:
            caveat = f"credentials not tried ({exc})"
        except (GatewayUnreachable, OutcomeUnknown) as exc:
            probe_check = (False, f"{values[probe_field]} did not answer: {exc}")
        except Exception as exc:  # a diagnostic button reports a connector's bug rather than failing the page
            logging.getLogger("lipwa.merchants").exception("credentials probe of %s failed", account.id)
            probe_check = (False, f"the {cls.display_name} credentials check failed unexpectedly "
                                  f"({type(exc).__name__})")
    for name, url in urls:
        if name == probe_field and probe_check is not None:
            checks.append((name, *probe_check))
            continue
        try:
            with HttpClient(url, timeout=min(account.timeout_seconds, 10.0)) as client:
                status = client.request("GET", "/").status_code
            checks.append((name, True, f"{url} answered (HTTP {status})" + (f"; {caveat}" if caveat else "")))
        except (GatewayUnreachable, OutcomeUnknown) as exc:
            checks.append((name, False, f"{url} did not answer: {exc}"))
    return checks
