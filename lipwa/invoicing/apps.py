from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "lipwa.invoicing"
    label = "invoicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lipwa.payments.signals import event_recorded

        from .services import invoice_apply_payment_event

        def on_event(sender, event, **kwargs) -> None:
            # No try/except: a paid invoice must commit with the payment's success or not at all.
            invoice_apply_payment_event(event=event)

        event_recorded.connect(on_event, weak=False, dispatch_uid="invoicing.apply_payment")
