"""`lipwa payments list|get|confirm-offline`: look at a merchant's payments; confirm bank transfers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.table import Table

from ..context import CommandFailed, Mode, django_setup, echo, merchant_of, stdout

app = typer.Typer(help="Look at payments; confirm bank transfers that arrived.", no_args_is_help=True)

STATUSES = ("pending", "requires_action", "processing", "succeeded", "failed", "cancelled", "expired")
MERCHANT = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_… (or set LIPWA_MERCHANT)")
MODE = typer.Option(Mode.test, help="test or live payments")


def money_text(amount_minor: int, currency: str) -> str:
    from lipwa.common.money import Money

    try:
        return f"{currency} {Money(amount_minor, currency).major_string()}"
    except ValueError:  # a currency this build does not know: show minor units rather than fail
        return f"{currency} {amount_minor} (minor units)"


def _when(unix: int | None) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M:%S") if unix else "-"


def _created(value: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandFailed(f"{option} {value!r} is not an ISO 8601 date or date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("list")
def list_(merchant: str = MERCHANT, mode: Mode = MODE,
          status: str | None = typer.Option(None, help="one of " + ", ".join(STATUSES)),
          provider: str | None = typer.Option(None, help="connector id, e.g. mpesa"),
          created_from: str | None = typer.Option(None, "--from", help="created at or after (ISO 8601, UTC)"),
          created_to: str | None = typer.Option(None, "--to", help="created at or before (ISO 8601, UTC)"),
          limit: int = typer.Option(20, min=1, max=100, help="how many (1-100)"),
          starting_after: str | None = typer.Option(None, help="a payment id: the page after it"),
          as_json: bool = typer.Option(False, "--json", help="print the API's JSON list instead of a table")) -> None:
    """List payments, newest first."""
    django_setup()
    from lipwa.payments.presenters import payment_to_dict
    from lipwa.payments.selectors import payments_list

    if status and status not in STATUSES:
        raise CommandFailed(f"--status must be one of {', '.join(STATUSES)}")
    page, has_more = payments_list(
        merchant=merchant_of(merchant), mode=mode.value, status=status, provider=provider,
        created_gte=_created(created_from, "--from") if created_from else None,
        created_lte=_created(created_to, "--to") if created_to else None,
        starting_after=starting_after, limit=limit)
    rows = [payment_to_dict(payment) for payment in page]
    if as_json:
        echo(json.dumps({"object": "list", "data": rows, "has_more": has_more}, indent=2))
        return
    more = f" (more: --starting-after {rows[-1]['id']})" if has_more else ""
    table = Table("id", "status", "amount", "method", "provider", "reference", "created (UTC)",
                  title=f"{len(rows)} payment(s){more}")
    for row in rows:
        table.add_row(row["id"], row["status"], money_text(row["amount"], row["currency"]), row["method"],
                      row["provider"], row["merchant_reference"] or "-", _when(row["created"]))
    stdout().print(table)


@app.command()
def get(payment_id: str = typer.Argument(..., help="pay_…"), merchant: str = MERCHANT, mode: Mode = MODE,
        as_json: bool = typer.Option(False, "--json", help="print the API's JSON")) -> None:
    """Show one payment and its events."""
    django_setup()
    from lipwa.payments.presenters import payment_to_dict
    from lipwa.payments.selectors import payment_events_list, payment_get

    payment = payment_get(merchant=merchant_of(merchant), mode=mode.value, payment_id=payment_id)
    data = payment_to_dict(payment)
    if as_json:
        echo(json.dumps(data, indent=2))
        return
    table = Table(show_header=False, title=f"{data['id']}  {data['status']}")
    shown = {**data, "amount": money_text(data["amount"], data["currency"]),
             "created": _when(data["created"]), "expires_at": _when(data["expires_at"])}
    for field in ("amount", "method", "provider", "network", "phone", "merchant_reference", "gateway_reference",
                  "receipt_number", "failure_code", "failure_message", "needs_review", "created", "expires_at"):
        if shown.get(field) not in (None, "", False):
            table.add_row(field, str(shown[field]))
    console = stdout()
    console.print(table)
    for event in payment_events_list(payment=payment):
        console.print(f"  {event.created_at:%Y-%m-%d %H:%M:%S}  {event.type}  {event.id}")


@app.command("confirm-offline")
def confirm_offline(payment_id: str = typer.Argument(..., help="pay_…"),
                    by: str = typer.Option(..., help="who confirms (recorded in the audit trail)"),
                    reference: str = typer.Option(..., help="the bank's reference of the incoming transfer"),
                    amount: int | None = typer.Option(None, help="minor units the statement shows (checked)"),
                    note: str = typer.Option("")) -> None:
    """Confirm a bank transfer arrived, with evidence."""
    django_setup()
    from lipwa.payments.offline import payment_confirm_offline

    payment = payment_confirm_offline(payment_id=payment_id, operator=f"user:{by}",
                                      evidence={"reference": reference, "note": note}, amount_minor=amount)
    echo(f"{payment.id} {payment.status}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="payments")
