"""The dossier lines of workflows, said in the reader's language (trajects.dossier)."""

from collections.abc import Mapping

from django.utils.translation import gettext as _


def workflow_summary(data: Mapping) -> str:
    """'Regel uitgevoerd: stage wordt Voorstel' and the like."""
    values = {
        "trigger": data.get("trigger", ""),
        "warning": data.get("warning", ""),
        "step": data.get("step", ""),
        "attempts": data.get("attempts", ""),
        "error": data.get("error", ""),
    }
    sentences = {
        "fired": lambda: _("Regel uitgevoerd: %(trigger)s"),
        "skipped": lambda: _("Regel overgeslagen (%(trigger)s): %(warning)s"),
        "failed": lambda: _(
            "Actie “%(step)s” mislukt na %(attempts)s pogingen: %(error)s. De volgende acties "
            "zijn niet uitgevoerd."
        ),
        "unconfirmed": lambda: _(
            "Actie “%(step)s”: de e-mail is mogelijk niet verzonden (onderbroken tijdens het "
            "verzenden; niet opnieuw verstuurd)."
        ),
    }
    sentence = sentences.get(data.get("action"))
    return sentence() % values if sentence else ""
