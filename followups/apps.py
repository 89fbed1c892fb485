from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = _("Taken")

    def ready(self):
        # trajects sits below followups and never imports it: followups listens instead.
        from trajects.dossier import summary_register
        from trajects.models import DossierKind
        from trajects.signals import traject_changed

        from . import receivers
        from .dossier import task_summary

        traject_changed.connect(
            receivers.tasks_follow_accountmanagers,
            dispatch_uid="followups.tasks_follow_accountmanagers",
        )
        summary_register(DossierKind.TASK, task_summary)
