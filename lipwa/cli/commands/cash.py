"""`lipwa cash …`: cash on delivery from the office: riders, assignments, collections, remittances, cash-ups."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.table import Table

from ..context import CommandFailed, Mode, django_setup, echo, merchant_of, operator, read_file_bytes, stdout
from .payments import money_text

app = typer.Typer(help="Cash on delivery: riders, collections, remittances, cash-ups.", no_args_is_help=True)
riders = typer.Typer(help="Riders and agents who collect cash.", no_args_is_help=True)
discrepancies = typer.Typer(help="Differences found by cash-ups.", no_args_is_help=True)
app.add_typer(riders, name="riders")
app.add_typer(discrepancies, name="discrepancies")

MERCHANT = typer.Option(..., envvar="LIPWA_MERCHANT", help="mer_… (or set LIPWA_MERCHANT)")
MODE = typer.Option(Mode.test, help="test or live")
JSON = typer.Option(False, "--json", help="print JSON")


def _by(by: str | None) -> str:
    return f"user:{by}" if by else operator()


@riders.command("add")
def rider_add(name: str = typer.Argument(...), phone: str = typer.Option("", help="the rider's phone"),
              merchant: str = MERCHANT, mode: Mode = MODE) -> None:
    """Add a rider and print its id."""
    django_setup()
    from lipwa.cash.services import rider_create

    echo(rider_create(merchant=merchant_of(merchant), mode=mode.value, name=name, phone=phone, by=operator()).id)


@riders.command("list")
def rider_list(merchant: str = MERCHANT, mode: Mode = MODE, as_json: bool = JSON) -> None:
    """Riders with the cash each holds."""
    django_setup()
    from lipwa.cash.presenters import rider_to_dict
    from lipwa.cash.selectors import riders_list

    rows = [rider_to_dict(r) for r in riders_list(merchant=merchant_of(merchant), mode=mode.value)]
    if as_json:
        echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "phone", "active", "holds")
    for row in rows:
        holds = ", ".join(money_text(f["amount"], f["currency"]) for f in row["floats"]) or "-"
        table.add_row(row["id"], row["name"], row["phone"] or "-", "yes" if row["active"] else "no", holds)
    stdout().print(table)


@app.command()
def assign(payment_id: str = typer.Argument(..., help="pay_… (a cash payment)"),
           rider: str = typer.Option(..., help="rdr_…"), merchant: str = MERCHANT, mode: Mode = MODE) -> None:
    """Give a cash-on-delivery payment to a rider."""
    django_setup()
    from lipwa.cash.services import cash_payment_assign

    assignment = cash_payment_assign(payment_id=payment_id, rider_id=rider, by=operator(),
                                     merchant=merchant_of(merchant), mode=mode.value)
    echo(f"{assignment.payment_id} assigned to {assignment.rider_id}")


@app.command()
def collect(payment_id: str = typer.Argument(..., help="pay_…"), rider: str = typer.Option(..., help="rdr_…"),
            receipt: str = typer.Option(..., help="the receipt number given to the customer"),
            amount: int = typer.Option(..., help="minor units collected (must equal the payment's)"),
            photo: str | None = typer.Option(None, help="a JPEG, PNG or WebP of the receipt (≤ 128 KiB)"),
            pin: str | None = typer.Option(None, help="the customer's PIN, when the merchant set one"),
            merchant: str = MERCHANT, mode: Mode = MODE) -> None:
    """Record cash a rider collected: the payment succeeds and the rider's float goes up."""
    django_setup()
    from lipwa.cash.photos import photo_check
    from lipwa.cash.services import cash_collection_record

    proof = photo_check(read_file_bytes(photo)) if photo else None
    collection = cash_collection_record(payment_id=payment_id, rider_id=rider, receipt_number=receipt,
                                        amount_minor=amount, photo=proof, customer_pin=pin, by=operator(),
                                        merchant=merchant_of(merchant), mode=mode.value)
    amount_text = money_text(collection.amount_minor, collection.currency)
    echo(f"{collection.id} {collection.payment_id} collected {amount_text}")


@app.command()
def remit(rider: str = typer.Option(..., help="rdr_…"), amount: int = typer.Option(..., help="minor units"),
          currency: str = typer.Option(..., help="ISO 4217"),
          reference: str = typer.Option(..., help="deposit slip or office receipt"),
          by: str | None = typer.Option(None, help="who received the cash (default: you)"),
          merchant: str = MERCHANT, mode: Mode = MODE) -> None:
    """Record cash a rider handed in (never more than the rider holds)."""
    django_setup()
    from lipwa.cash.services import cash_remittance_record

    remittance = cash_remittance_record(rider_id=rider, amount_minor=amount, currency=currency.upper(),
                                        reference=reference, received_by=_by(by), merchant=merchant_of(merchant),
                                        mode=mode.value)
    echo(f"{remittance.id} {money_text(remittance.amount_minor, remittance.currency)} from {remittance.rider_id}")


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandFailed(f"--day {value!r} is not a date such as 2026-11-25") from None


@app.command("cash-up")
def cash_up(rider: str = typer.Option(..., help="rdr_…"), day: str = typer.Option(..., help="UTC day, YYYY-MM-DD"),
            merchant: str = MERCHANT, mode: Mode = MODE, as_json: bool = JSON) -> int:
    """Compare a rider's collections with remittances for a day (exit 1 when they differ)."""
    django_setup()
    from lipwa.cash.presenters import cash_up_to_dict
    from lipwa.cash.services import cash_up_run

    rows = [cash_up_to_dict(c) for c in cash_up_run(rider_id=rider, day=_day(day), by=operator(),
                                                    merchant=merchant_of(merchant), mode=mode.value)]
    if as_json:
        echo(json.dumps(rows, indent=2))
    for row in rows if not as_json else ():
        line = (f"{row['id']} {row['day']} {row['currency']}: collected {row['collected']}, remitted "
                f"{row['remitted']}, difference {row['difference']} ({row['status']})")
        if row["discrepancy"]:
            line += f" discrepancy {row['discrepancy']['id']}"
        echo(line)
    if not rows and not as_json:
        echo("nothing collected or remitted that day")
    return 1 if any(row["difference"] for row in rows) else 0


@discrepancies.command("resolve")
def discrepancy_resolve(discrepancy_id: str = typer.Argument(..., help="cdis_…"),
                        note: str = typer.Option(..., help="how the difference was settled"),
                        by: str | None = typer.Option(None), merchant: str = MERCHANT, mode: Mode = MODE) -> None:
    """Close a cash-up discrepancy with a note."""
    django_setup()
    from lipwa.cash.services import cash_discrepancy_resolve

    discrepancy = cash_discrepancy_resolve(discrepancy_id=discrepancy_id, note=note, by=_by(by),
                                           merchant=merchant_of(merchant), mode=mode.value)
    echo(f"{discrepancy.id} {discrepancy.status}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="cash")
