from django.apps import AppConfig


class SalesmoduleConfig(AppConfig):
    name = "salesmodule"

    def ready(self):
        from . import ids, timestamps

        ids.register()
        timestamps.connect()
