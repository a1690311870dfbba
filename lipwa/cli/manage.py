"""`lipwa merchants|keys|accounts …`: the operator's commands. Secrets are printed once or never."""

from __future__ import annotations

import argparse
import os
import sys

from lipwa.common.crypto import mask_secret
from lipwa.common.errors import LipwaError


def add_parsers(commands) -> None:
    merchants = commands.add_parser("merchants", help="create merchants").add_subparsers(dest="action", required=True)
    create = merchants.add_parser("create", help="create a merchant and print its id")
    create.add_argument("name")
    configure = merchants.add_parser("configure", help="settlement currency and refund approval thresholds")
    configure.add_argument("merchant_id")
    configure.add_argument("--settlement-currency", help="ISO 4217 code; '' for none")
    configure.add_argument("--refund-approval-above", action="append", default=[], metavar="CUR=AMOUNT",
                           help="refunds above AMOUNT minor units in CUR need a second person, e.g. KES=500000")

    keys = commands.add_parser("keys", help="create or revoke API keys").add_subparsers(dest="action", required=True)
    key_create = keys.add_parser("create", help="create a key; its plaintext is printed once and never stored")
    key_create.add_argument("--merchant", required=True)
    key_create.add_argument("--mode", choices=["test", "live"], required=True)
    key_create.add_argument("--name", default="")
    key_revoke = keys.add_parser("revoke", help="revoke a key by its id (key_…)")
    key_revoke.add_argument("key_id")

    accounts = commands.add_parser("accounts", help="connector accounts").add_subparsers(dest="action", required=True)
    add = accounts.add_parser("add", help="add gateway credentials (encrypted at rest)")
    add.add_argument("--merchant", required=True)
    add.add_argument("--connector", required=True)
    add.add_argument("--mode", choices=["test", "live"], required=True)
    add.add_argument("--name", default="")
    add.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                     help="a credential; VALUE 'env:NAME' reads the environment variable NAME (keeps secrets "
                          "out of shell history)")
    configure = accounts.add_parser("configure", help="set amount limits and fees per currency")
    configure.add_argument("account_id")
    configure.add_argument("--limit", action="append", default=[], metavar="CUR=MIN:MAX",
                           help="minor units, e.g. KES=100:25000000 (leave a side empty for no bound)")
    configure.add_argument("--fee", action="append", default=[], metavar="CUR=FIXED:BPS",
                           help="fixed minor units plus basis points, e.g. KES=0:150 for 1.5 %%")
    refunds = commands.add_parser("refunds", help="decide and record refunds").add_subparsers(dest="action",
                                                                                              required=True)
    for action in ("approve", "reject"):
        decide = refunds.add_parser(action, help=f"{action} a refund that needs approval")
        decide.add_argument("refund_id")
        decide.add_argument("--by", required=True, help="who decides (must not be who requested it)")
        decide.add_argument("--note", default="")
    manual = refunds.add_parser("record-manual", help="record a refund made outside the gateway, with evidence")
    manual.add_argument("refund_id")
    manual.add_argument("--by", required=True)
    manual.add_argument("--reference", required=True, help="receipt or bank reference of the manual refund")
    manual.add_argument("--note", default="")
    payments = commands.add_parser("payments", help="operator actions on payments").add_subparsers(
        dest="action", required=True)
    offline = payments.add_parser("confirm-offline", help="confirm a bank transfer arrived, with evidence")
    offline.add_argument("payment_id")
    offline.add_argument("--by", required=True, help="who confirms (recorded in the audit trail)")
    offline.add_argument("--reference", required=True, help="the bank's reference of the incoming transfer")
    offline.add_argument("--amount", type=int, default=None, help="minor units the statement shows (checked)")
    offline.add_argument("--note", default="")
    rates = commands.add_parser("rates", help="exchange rates (display only)").add_subparsers(dest="action",
                                                                                            required=True)
    rate_set = rates.add_parser("set", help="set 1 BASE = RATE QUOTE from now (or --at)")
    rate_set.add_argument("base")
    rate_set.add_argument("quote")
    rate_set.add_argument("rate", help="a decimal, e.g. 0.0077")
    rate_set.add_argument("--at", default=None, help="ISO 8601 date-time with timezone; default now")
    rate_import = rates.add_parser("import", help="import base,quote,rate[,effective_at] CSV (all or nothing)")
    rate_import.add_argument("file")
    reconcile = commands.add_parser("reconcile", help="statements and reconciliation").add_subparsers(
        dest="action", required=True)
    statement = reconcile.add_parser("import", help="import a statement (all lines or none), then reconcile it")
    statement.add_argument("file")
    statement.add_argument("--merchant", required=True)
    statement.add_argument("--format", required=True, help="mpesa_csv, bank_csv, mt940 or camt053")
    statement.add_argument("--preset", default=None, help="bank_csv column mapping, e.g. equity_ke")
    statement.add_argument("--currency", default=None)
    statement.add_argument("--mode", choices=["test", "live"], default="live")
    statement.add_argument("--no-reconcile", action="store_true", help="only import the lines")
    ledger = commands.add_parser("ledger", help="ledger checks").add_subparsers(dest="action", required=True)
    ledger.add_parser("verify", help="recompute every balance from its transfers and compare (exit 1 on drift)")
    listing = accounts.add_parser("list", help="list a merchant's accounts with masked credentials")
    listing.add_argument("--merchant", required=True)


def handle(args: argparse.Namespace) -> int:
    try:
        return _ACTIONS[(args.command, args.action)](args)
    except LipwaError as error:
        print(f"lipwa: {error.message}", file=sys.stderr)
        return 2


def _operator() -> str:
    """Who runs the command, for the audit trail."""
    import getpass

    return f"cli:{getpass.getuser()}"


def _merchant(merchant_id: str):
    from lipwa.common.errors import NotFound
    from lipwa.merchants.models import Merchant

    merchant = Merchant.objects.filter(id=merchant_id).first()
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id}")
    return merchant


def _merchants_create(args) -> int:
    from lipwa.merchants.services import merchant_create

    print(merchant_create(name=args.name).id)
    return 0


def _merchants_configure(args) -> int:
    from lipwa.common.errors import InvalidRequest
    from lipwa.merchants.services import merchant_configure

    thresholds = None
    if args.refund_approval_above:
        thresholds = {}
        for value in args.refund_approval_above:
            currency, sep, amount = value.partition("=")
            if not sep or not amount.isdigit():
                raise InvalidRequest(f"--refund-approval-above expects CUR=AMOUNT, got {value!r}")
            thresholds[currency] = int(amount)
    merchant = merchant_configure(merchant=_merchant(args.merchant_id), settlement_currency=args.settlement_currency,
                                  refund_approval_thresholds=thresholds, actor=_operator())
    print(f"{merchant.id} settlement_currency={merchant.settlement_currency or '-'} "
          f"refund_approval_thresholds={merchant.refund_approval_thresholds}")
    return 0


def _keys_create(args) -> int:
    from lipwa.merchants.services import api_key_create

    key, raw = api_key_create(merchant=_merchant(args.merchant), mode=args.mode, name=args.name)
    print(f"{key.id}\n{raw}\nStore this key now: lipwa keeps only its hash and cannot show it again.")
    return 0


def _keys_revoke(args) -> int:
    from lipwa.merchants.services import api_key_revoke

    key = api_key_revoke(key_id=args.key_id)
    print(f"{key.id} ({key.masked}) revoked at {key.revoked_at.isoformat()}")
    return 0


def _parse_settings(pairs: list[str]) -> dict[str, str]:
    from lipwa.common.errors import InvalidRequest

    values = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or not field:
            raise InvalidRequest(f"--set expects FIELD=VALUE, got {pair!r}")
        if value.startswith("env:"):
            name = value[4:]
            if name not in os.environ:
                raise InvalidRequest(f"environment variable {name} (for {field}) is not set")
            value = os.environ[name]
        values[field] = value
    return values


def _accounts_add(args) -> int:
    from lipwa.merchants.services import connector_account_create

    account = connector_account_create(merchant=_merchant(args.merchant), connector=args.connector,
                                       mode=args.mode, credentials=_parse_settings(args.set), name=args.name,
                                       actor=_operator())
    print(account.id)
    return 0


def _pairs(values: list[str], keys: tuple[str, str], option: str) -> dict:
    from lipwa.common.errors import InvalidRequest

    table = {}
    for value in values:
        currency, sep, rest = value.partition("=")
        first, colon, second = rest.partition(":")
        if not sep or not colon or not all(part.isdigit() or part == "" for part in (first, second)):
            raise InvalidRequest(f"{option} expects CUR={keys[0].upper()}:{keys[1].upper()} with integers, "
                                 f"got {value!r}")
        table[currency] = {key: int(part) for key, part in zip(keys, (first, second), strict=True) if part}
    return table


def _accounts_configure(args) -> int:
    from lipwa.common.errors import NotFound
    from lipwa.merchants.services import connector_account_configure, connector_account_get

    account = connector_account_get(args.account_id)
    if account is None:
        raise NotFound(f"no connector account {args.account_id}")
    limits = _pairs(args.limit, ("min", "max"), "--limit") if args.limit else None
    fees = _pairs(args.fee, ("fixed", "percent_bps"), "--fee") if args.fee else None
    account = connector_account_configure(account=account, limits=limits, fees=fees, actor=_operator())
    print(f"{account.id} limits={account.limits} fees={account.fees}")
    return 0


def _accounts_list(args) -> int:
    from lipwa.connectors.registry import connector_class

    for account in _merchant(args.merchant).connector_accounts.order_by("created_at"):
        secret = {f.name for f in connector_class(account.connector).credential_fields if f.secret}
        shown = {k: (mask_secret(v) if k in secret else v) for k, v in sorted(account.get_credentials().items())}
        state = "active" if account.is_active else "inactive"
        print(f"{account.id}  {account.connector}  {account.mode}  {state}  {shown}")
    return 0


def _refunds_decide(args) -> int:
    from lipwa.payments.refunds import refund_approve, refund_reject

    if args.action == "approve":
        refund = refund_approve(refund_id=args.refund_id, approver=f"user:{args.by}")
    else:
        refund = refund_reject(refund_id=args.refund_id, rejecter=f"user:{args.by}", note=args.note)
    print(f"{refund.id} {refund.status}")
    return 0


def _refunds_record_manual(args) -> int:
    from lipwa.payments.refunds import refund_record_manual

    refund = refund_record_manual(refund_id=args.refund_id, operator=f"user:{args.by}",
                                  evidence={"reference": args.reference, "note": args.note})
    print(f"{refund.id} {refund.status}")
    return 0


def _payments_confirm_offline(args) -> int:
    from lipwa.payments.offline import payment_confirm_offline

    evidence = {"reference": args.reference, "note": args.note}
    payment = payment_confirm_offline(payment_id=args.payment_id, operator=f"user:{args.by}", evidence=evidence,
                                      amount_minor=args.amount)
    print(f"{payment.id} {payment.status}")
    return 0


def _rates_set(args) -> int:
    from datetime import datetime

    from lipwa.common.errors import InvalidRequest
    from lipwa.fx.services import rate_set

    at = None
    if args.at:
        try:
            at = datetime.fromisoformat(args.at)
        except ValueError:
            raise InvalidRequest(f"--at {args.at!r} is not an ISO 8601 date-time") from None
    rate = rate_set(base=args.base.upper(), quote=args.quote.upper(), rate=args.rate, effective_at=at)
    print(rate)
    return 0


def _rates_import(args) -> int:
    from lipwa.common.errors import InvalidRequest
    from lipwa.fx.services import rates_import_csv

    try:
        with open(args.file, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"cannot read {args.file}: {exc}") from None
    imported, errors = rates_import_csv(text)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"nothing imported: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print(f"{imported} rate(s) imported")
    return 0


def _reconcile_import(args) -> int:
    from lipwa.common.errors import InvalidRequest
    from lipwa.reconciliation.services import statement_import, statement_reconcile

    try:
        with open(args.file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InvalidRequest(f"cannot read {args.file}: {exc.strerror}") from None
    statement = statement_import(merchant=_merchant(args.merchant), mode=args.mode, format=args.format,
                                 filename=os.path.basename(args.file), data=data, preset=args.preset,
                                 currency=args.currency, imported_by=_operator())
    print(f"{statement.id}: {statement.lines_in_file} line(s), {statement.lines_new} new, "
          f"{statement.lines_known} already imported")
    if not args.no_reconcile:
        outcome = statement_reconcile(statement=statement)
        print(f"{outcome['matched']} matched, {outcome['confirmed']} bank transfer(s) confirmed")
    return 0


def _ledger_verify(args) -> int:
    from lipwa.ledger.selectors import ledger_verify

    problems = ledger_verify()
    for problem in problems:
        print(problem)
    print("ledger consistent" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


_ACTIONS = {
    ("ledger", "verify"): _ledger_verify,
    ("payments", "confirm-offline"): _payments_confirm_offline,
    ("rates", "set"): _rates_set,
    ("rates", "import"): _rates_import,
    ("reconcile", "import"): _reconcile_import,
    ("refunds", "approve"): _refunds_decide,
    ("refunds", "reject"): _refunds_decide,
    ("refunds", "record-manual"): _refunds_record_manual,
    ("merchants", "create"): _merchants_create,
    ("merchants", "configure"): _merchants_configure,
    ("keys", "create"): _keys_create,
    ("keys", "revoke"): _keys_revoke,
    ("accounts", "add"): _accounts_add,
    ("accounts", "list"): _accounts_list,
    ("accounts", "configure"): _accounts_configure,
}
