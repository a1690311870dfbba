from django.apps import AppConfig


class WebhooksOutConfig(AppConfig):
    name = "lipwa.webhooks_out"
    label = "webhooks_out"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lipwa.payments.signals import event_recorded

        from .deliveries import webhook_deliveries_queue

        def on_event(sender, event, **kwargs) -> None:
            # No try/except: if the deliveries cannot be queued, the state change must not commit without
            # them (DESIGN.md §3, transactional outbox); the caller's retry or the janitor redoes both.
            webhook_deliveries_queue(event=event)

        event_recorded.connect(on_event, weak=False, dispatch_uid="webhooks_out.queue")
