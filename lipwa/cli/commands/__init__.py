"""Command groups of `lipwa`; each module adds its commands to the root app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from . import (
        accounts,
        cash,
        keys,
        ledger,
        listen,
        merchants,
        payments,
        rates,
        reconcile,
        refunds,
        server,
        staff,
        trigger,
        whatsapp,
    )

    for module in (server, trigger, listen, payments, refunds, merchants, keys, accounts, cash, rates, reconcile,
                   ledger, staff, whatsapp):
        module.register(app)
