from django.apps import AppConfig


class WebhooksInConfig(AppConfig):
    name = "lipwa.webhooks_in"
    label = "webhooks_in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lipwa.payments.signals import attempt_finalized, attempt_reference_assigned

        from .services import inbound_webhooks_reconfirm, inbound_webhooks_rematch

        def on_reference(sender, connector_account_id: str, gateway_reference: str, **kwargs) -> None:
            inbound_webhooks_rematch(connector_account_id=connector_account_id, gateway_reference=gateway_reference)

        attempt_reference_assigned.connect(on_reference, weak=False, dispatch_uid="webhooks_in.rematch")

        def on_final(sender, attempt_id: str, **kwargs) -> None:
            inbound_webhooks_reconfirm(attempt_id=attempt_id)

        attempt_finalized.connect(on_final, weak=False, dispatch_uid="webhooks_in.reconfirm")
