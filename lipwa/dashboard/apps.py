from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "lipwa.dashboard"
    label = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lipwa.ops.abandoned import on_abandoned

        from .tasks import statement_upload_import
        from .uploads import statement_upload_abandoned

        on_abandoned(statement_upload_import.module_path)(statement_upload_abandoned)
