"""The dossier's system lines, said in the reader's language from their kind and data.

Nothing the system writes is stored as a sentence: a stored sentence would stay in the language
of whoever caused it. Notes, appointment and e-mail subjects are the users' own words, kept as
typed in `text`; everything else is phrased here, when the page is rendered.
"""

from collections.abc import Callable, Mapping

from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from .models import DossierKind


def _created(data: Mapping) -> str:
    if data.get("import") is not None:
        return _("Lead geïmporteerd uit %(file)s (rij %(row)s)") % {
            "file": data.get("file", ""),
            "row": data.get("row", ""),
        }
    if data.get("vacancy_title"):
        return _("Lead aangemaakt vanuit vacature %(title)s") % {"title": data["vacancy_title"]}
    return _("Lead aangemaakt")


def _share(data: Mapping) -> str:
    if data.get("names"):
        return _("Toegewezen aan %(names)s") % {"names": get_text_list(data["names"], _("en"))}
    if "name" not in data:
        return ""
    if "removed" in data:
        return _("%(name)s verwijderd") % {"name": data["name"]}
    if "added" in data:
        return _("%(name)s toegevoegd") % {"name": data["name"]}
    return ""  # a change of the whole set shows as old → new


def _quote(data: Mapping) -> str:
    values = {
        "number": data.get("number", ""),
        "title": data.get("title", ""),
        "previous": data.get("previous", ""),
    }
    sentences = {
        "created": lambda: _("Offerte aangemaakt (concept): %(title)s"),
        "sent": lambda: _("Offerte %(number)s verzonden: %(title)s"),
        "accepted": lambda: _("Offerte %(number)s geaccepteerd"),
        "rejected": lambda: _("Offerte %(number)s afgewezen"),
        "revised": lambda: _("Nieuwe versie %(number)s (concept) van offerte %(previous)s"),
        "deleted": lambda: _("Concept-offerte verwijderd: %(title)s"),
    }
    sentence = sentences.get(data.get("action"))
    return sentence() % values if sentence else ""


def _appointment(data: Mapping) -> str:
    if data.get("action") == "deleted":
        return _("Afspraak verwijderd")
    return ""


SUMMARIES: dict[str, Callable[[Mapping], str]] = {
    DossierKind.CREATED: _created,
    DossierKind.SHARE: _share,
    DossierKind.QUOTE: _quote,
    DossierKind.APPOINTMENT: _appointment,
}


def summary_register(kind: str, describe: Callable[[Mapping], str]) -> None:
    """A higher app says how its own kind of entry reads (followups: the task lines)."""
    SUMMARIES[kind] = describe


def summary(entry) -> str:
    """The line the system says about this entry, in the active language ('' for none)."""
    describe = SUMMARIES.get(entry.kind)
    return describe(entry.data or {}) if describe else ""
