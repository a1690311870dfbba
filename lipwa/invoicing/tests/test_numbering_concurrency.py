"""Many threads issuing invoices of one merchant at once: numbers are exactly 1..N, no gap, no repeat.

On PostgreSQL the counter row lock serialises issuers (and the savepoint settles who creates the year's row);
SQLite's IMMEDIATE transactions serialise whole transactions."""

from __future__ import annotations

import pytest

from lipwa.common import clock
from lipwa.invoicing.models import Invoice
from lipwa.invoicing.services import invoice_issue
from lipwa.payments.tests.test_concurrency import THREADS, _race

from .helpers import draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_issuing_is_gap_free(merchant):
    year = clock.now().year
    drafts = [draft(merchant).id for _ in range(THREADS)]
    outcomes = _race(lambda invoice_id: invoice_issue(merchant=merchant, mode="test", invoice_id=invoice_id), drafts)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    numbers = sorted(Invoice.objects.filter(merchant=merchant).values_list("number", flat=True))
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, THREADS + 1)]


def test_racing_issues_of_one_draft_number_it_once(merchant):
    invoice_id = draft(merchant).id
    outcomes = _race(lambda _: invoice_issue(merchant=merchant, mode="test", invoice_id=invoice_id),
                     list(range(THREADS)))
    assert len([o for o in outcomes if isinstance(o, Invoice)]) == 1
    assert all(getattr(o, "code", None) == "invoice_not_draft" for o in outcomes if not isinstance(o, Invoice))
    assert Invoice.objects.get(id=invoice_id).number == f"INV-{clock.now().year}-000001"
