"""A booking is paid by one or two charges (in full, or a 50 % deposit then the balance). Each charge is a lipwa
checkout session, paid through a WhatsApp Flow or on the web; lipwa's webhooks mark charges paid."""

from django.db import models

from .catalogue import money


class Booking(models.Model):
    AWAITING, DEPOSIT_PAID, PAID = "awaiting_payment", "deposit_paid", "paid"

    reference = models.CharField(max_length=20, unique=True)
    safari = models.CharField(max_length=20)
    safari_name = models.CharField(max_length=100)
    travel_date = models.DateField()
    travellers = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    total = models.PositiveBigIntegerField(help_text="minor units of currency")
    plan = models.CharField(max_length=10)  # full | deposit
    customer_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20)  # the customer's WhatsApp number, +263…
    amount_paid = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=20, default=AWAITING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def money(self, amount_minor: int) -> str:
        return money(amount_minor, self.currency)

    @property
    def total_display(self) -> str:
        return self.money(self.total)

    @property
    def paid_display(self) -> str:
        return self.money(self.amount_paid)

    @property
    def due_display(self) -> str:
        return self.money(self.total - self.amount_paid)


class Charge(models.Model):
    PENDING, PAID = "pending", "paid"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="charges")
    part = models.CharField(max_length=10)  # full | deposit | balance
    amount = models.PositiveBigIntegerField()
    checkout_session_id = models.CharField(max_length=40, unique=True)  # cs_…, also the WhatsApp flow token
    checkout_url = models.URLField(max_length=500)
    whatsapp_sent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, default=PENDING)
    payment_id = models.CharField(max_length=40, blank=True)  # the payment that paid it
    last_failure = models.CharField(max_length=40, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["booking", "part"], name="one_charge_per_part")]

    @property
    def amount_display(self) -> str:
        return self.booking.money(self.amount)


class ProcessedEvent(models.Model):
    """Webhook deliveries are at least once: an event id seen before is acknowledged and ignored."""

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)
