from django.apps import AppConfig


class WhatsAppConfig(AppConfig):
    name = "lipwa.whatsapp"
    label = "whatsapp"
    default_auto_field = "django.db.models.BigAutoField"
