"""A checkout session: what the merchant asked to be paid, and the hosted page's link to the payments it made."""

from __future__ import annotations

from django.db import models

from lipwa.common.ids import new_unguessable_id
from lipwa.merchants.models import MODES, Merchant


def _session_id() -> str:
    # The id is the hosted page's link (/pay/<id>, its receipt): it must not be derivable from another link.
    return new_unguessable_id("cs")


class CheckoutSession(models.Model):
    id = models.CharField(primary_key=True, max_length=40, default=_session_id, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="checkout_sessions")
    mode = models.CharField(max_length=4, choices=MODES)
    # Amount and currency are only ever read from here, never from the hosted page's form.
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    # Methods the merchant allows on this page; empty means every method it has an account for.
    methods = models.JSONField(default=list, blank=True)
    merchant_reference = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    customer = models.JSONField(default=dict, blank=True)
    return_url = models.CharField(max_length=2000, blank=True)
    expires_at = models.DateTimeField()
    # The latest payment the page made; a retry replaces it, earlier ones stay in the payments table.
    payment = models.ForeignKey("payments.PaymentIntent", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["merchant", "mode", "-id"])]


class ReceiptEmail(models.Model):
    """One row per payment whose receipt was emailed; its primary key is what makes the email go once."""

    payment = models.OneToOneField("payments.PaymentIntent", primary_key=True, on_delete=models.PROTECT,
                                   related_name="+")
    sent_to = models.CharField(max_length=254)
    sent_at = models.DateTimeField()
