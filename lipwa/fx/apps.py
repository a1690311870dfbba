from django.apps import AppConfig


class FxConfig(AppConfig):
    name = "lipwa.fx"
    label = "fx"
    default_auto_field = "django.db.models.BigAutoField"
