from django.apps import AppConfig


class TestClocksConfig(AppConfig):
    name = "lipwa.testclocks"
    label = "testclocks"
    default_auto_field = "django.db.models.BigAutoField"
