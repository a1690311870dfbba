"""One send task per endpoint and burst, instead of one per delivery, across transactions.

A batch is a queued send task that has not started, recorded as a `WebhookSendBatch` row written in the same
transaction as the task itself: both commit, or roll back with their savepoint, together with the delivery
that opened them. A later delivery to the same endpoint, in this transaction or any other, joins an open
batch instead of queueing a task of its own: it takes the batch's claim token in one statement,
`UPDATE … SET size = size + 1 WHERE token = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING token`, which leaves
the row locked until the joining transaction ends. So the delivery, its token and a task that will send that
token still commit in one transaction (the outbox guarantee), whichever transaction queued the task.

The task closes its batch before it claims the deliveries: it deletes the row, which on PostgreSQL waits
until every transaction that joined the batch has committed or rolled back, and afterwards nobody can join
it. The claim, a later statement, therefore sees every delivery that will ever hold the token. Writers never
wait for each other: a batch another transaction holds is skipped (SKIP LOCKED), so under several writers an
endpoint may have a few open batches at once, each with its own task. On SQLite one writer at a time holds
the database, which gives the same order.

A batch takes new deliveries for JOIN_SECONDS at most: a task lost with its worker must not keep gathering
deliveries that only the sweep would send. The row only steers joining; a task sends by token whether or not
its row still exists (the sweep's tasks and replays never had one).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection

from lipwa.common import crypto

from .models import WebhookSendBatch

# Deliveries one task sends: bounds how long a claim must last (CLAIM_SECONDS) and spreads a burst of
# events over several workers.
SEND_BATCH_MAX = 100
# How long after it was queued a task still takes new deliveries. A queued task normally starts within a
# worker's poll interval; under a backlog new deliveries open new batches, which only costs more tasks.
JOIN_SECONDS = 30


def batch_join(endpoint_id: str, now: datetime) -> tuple[str, bool]:
    """The claim token for a new delivery to `endpoint_id`, and whether the caller must queue a send task for
    it in the same transaction (True when no open batch could be joined and this delivery opened one)."""
    table = connection.ops.quote_name(WebhookSendBatch._meta.db_table)
    # SQLite has no row locks (nor the clause); its single writer already excludes a concurrent task.
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    joinable_since = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=JOIN_SECONDS))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET size = size + 1 WHERE token = (SELECT token FROM {table} "
                       f"WHERE endpoint_id = %s AND size < %s AND opened_at >= %s LIMIT 1{lock}) RETURNING token",
                       [endpoint_id, SEND_BATCH_MAX, joinable_since])
        row = cursor.fetchone()
    if row is not None:
        return row[0], False
    token = crypto.random_token(16)
    WebhookSendBatch.objects.create(token=token, endpoint_id=endpoint_id, size=1, opened_at=now)
    return token, True


def batch_close(token: str) -> None:
    """Stop the batch of `token` taking deliveries; returns once every transaction that joined it has ended.
    Its task calls this before claiming the deliveries, outside any transaction of its own that holds locks."""
    WebhookSendBatch.objects.filter(token=token).delete()


def batches_forget_stale(now: datetime, older_than: timedelta) -> int:
    """Delete the rows of batches whose task never started (lost with its worker); the sweep sends their
    deliveries. Nobody joins them any more, so nothing waits on them."""
    deleted, _ = WebhookSendBatch.objects.filter(opened_at__lt=now - older_than).delete()
    return deleted
