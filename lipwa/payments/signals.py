"""Signals the core sends inside its transactions, so other apps can enqueue work atomically with it."""

from django.dispatch import Signal

# Sent (inside the transaction) when an attempt learns its gateway reference; kwargs: connector_account_id,
# gateway_reference. Callbacks that arrived before the reference was known can now be matched.
attempt_reference_assigned = Signal()

# Sent (inside the transaction) after an event is recorded; kwargs: event. Merchant webhooks subscribe here
# so that their deliveries are queued atomically with the state change.
event_recorded = Signal()

# Sent (inside the transaction) when an attempt reaches a final status; kwargs: attempt_id.
attempt_finalized = Signal()
