from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        # trajects sits below workflows and never imports it: workflows listens instead.
        from trajects.dossier import summary_register
        from trajects.models import DossierKind
        from trajects.signals import traject_changed

        from . import receivers
        from .dossier import workflow_summary

        traject_changed.connect(receivers.rules_fire, dispatch_uid="workflows.rules_fire")
        summary_register(DossierKind.WORKFLOW, workflow_summary)
