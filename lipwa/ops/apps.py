from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "lipwa.ops"
    label = "ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import task_context

        task_context.connect()
