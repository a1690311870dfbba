from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "lipwa.reconciliation"
    label = "reconciliation"
    default_auto_field = "django.db.models.BigAutoField"
