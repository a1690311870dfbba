from django.apps import AppConfig


class CashConfig(AppConfig):
    name = "lipwa.cash"
    label = "cash"
    default_auto_field = "django.db.models.BigAutoField"
