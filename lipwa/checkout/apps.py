from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "lipwa.checkout"
    label = "checkout"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lipwa.payments.signals import event_recorded

        from .receipts_email import on_event

        event_recorded.connect(on_event, weak=False, dispatch_uid="checkout.receipt_email")
