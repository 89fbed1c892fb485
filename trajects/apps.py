from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectsConfig(AppConfig):
    name = "trajects"
    verbose_name = _("Trajecten")

    def ready(self):
        # settings_app sits below trajects and never imports it: trajects listens instead.
        from settings_app.signals import price_ranges_changed

        from . import receivers

        price_ranges_changed.connect(
            receivers.statistics_renew_on_new_price_ranges,
            dispatch_uid="trajects.statistics_renew_on_new_price_ranges",
        )
