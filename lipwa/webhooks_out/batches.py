"""One send task per endpoint and transaction, instead of one per delivery.

Deliveries created in the same database transaction for the same endpoint share a claim token, and the one
send task queued with the first of them sends them all (up to SEND_BATCH_MAX per task). The task is queued in
that transaction, so it becomes visible to the workers at the same moment as every delivery it names: the
task never runs before a delivery of its batch exists, and a rollback removes both.

A batch is only reused while it is certainly still part of the current transaction: the outermost atomic
block that is not a test wrapper must be the same one, and the marker registered with `on_commit` when the
batch's task was queued must still be pending in the same list (Django replaces that list when the
transaction commits or rolls back, and when a savepoint rolls back, which may have removed the task).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from lipwa.common import crypto

# Deliveries one task sends: bounds how long a claim must last (CLAIM_SECONDS) and spreads a burst of
# events over several workers.
SEND_BATCH_MAX = 100


@dataclass
class _Batch:
    key: tuple
    token: str
    size: int
    callbacks: list  # the connection's on-commit list the marker was appended to
    position: int
    marker: object


def _transaction_key(connection) -> tuple | None:
    """Names the transaction as production sees it; None when batches cannot be told apart safely."""
    if not connection.in_atomic_block:
        return None
    for index, block in enumerate(connection.atomic_blocks):
        if getattr(block, "_from_testcase", False):
            continue
        if index == 0:
            return ("transaction",)
        savepoint = connection.savepoint_ids[index - 1]
        return ("savepoint", savepoint) if savepoint else None
    return None


def _still_open(connection, batch: _Batch | None, key: tuple) -> bool:
    if batch is None or batch.key != key or batch.size >= SEND_BATCH_MAX:
        return False
    callbacks = connection.run_on_commit
    return (callbacks is batch.callbacks and len(callbacks) > batch.position
            and callbacks[batch.position][1] is batch.marker)


def batch_token(endpoint_id: str) -> tuple[str, bool]:
    """The claim token for a new delivery to `endpoint_id`, and whether the caller must queue its send task
    (True for the first delivery of each batch, which must then queue it in the same transaction)."""
    connection = transaction.get_connection()
    key = _transaction_key(connection)
    if key is None:
        return crypto.random_token(16), True
    batches: dict[str, _Batch] = connection.__dict__.setdefault("_lipwa_webhook_batches", {})
    batch = batches.get(endpoint_id)
    if _still_open(connection, batch, key):
        batch.size += 1
        return batch.token, False

    def marker() -> None:  # only its presence in the on-commit list matters
        return None

    transaction.on_commit(marker)
    callbacks = connection.run_on_commit
    batches[endpoint_id] = _Batch(key=key, token=crypto.random_token(16), size=1, callbacks=callbacks,
                                  position=len(callbacks) - 1, marker=marker)
    return batches[endpoint_id].token, True
