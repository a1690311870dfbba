from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "lipwa.connectors"
    label = "connectors"
