from django.apps import AppConfig


class SalesmoduleConfig(AppConfig):
    name = "salesmodule"

    def ready(self):
        from . import timestamps

        timestamps.connect()
