"""`lipwa refunds approve|reject|record-manual`: the second person's decision and manual refunds."""

from __future__ import annotations

import typer

from ..context import django_setup, echo

app = typer.Typer(help="Decide and record refunds.", no_args_is_help=True)

BY_HELP = "who decides (must not be who requested it)"


@app.command()
def approve(refund_id: str = typer.Argument(..., help="re_…"), by: str = typer.Option(..., help=BY_HELP),
            note: str = typer.Option("")) -> None:
    """Approve a refund that needs approval."""
    django_setup()
    from lipwa.payments.refunds import refund_approve

    refund = refund_approve(refund_id=refund_id, approver=f"user:{by}")
    echo(f"{refund.id} {refund.status}")


@app.command()
def reject(refund_id: str = typer.Argument(..., help="re_…"), by: str = typer.Option(..., help=BY_HELP),
           note: str = typer.Option("")) -> None:
    """Reject a refund that needs approval."""
    django_setup()
    from lipwa.payments.refunds import refund_reject

    refund = refund_reject(refund_id=refund_id, rejecter=f"user:{by}", note=note)
    echo(f"{refund.id} {refund.status}")


@app.command("record-manual")
def record_manual(refund_id: str = typer.Argument(..., help="re_…"), by: str = typer.Option(...),
                  reference: str = typer.Option(..., help="receipt or bank reference of the manual refund"),
                  note: str = typer.Option("")) -> None:
    """Record a refund made outside the gateway, with evidence."""
    django_setup()
    from lipwa.payments.refunds import refund_record_manual

    refund = refund_record_manual(refund_id=refund_id, operator=f"user:{by}",
                                  evidence={"reference": reference, "note": note})
    echo(f"{refund.id} {refund.status}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="refunds")
