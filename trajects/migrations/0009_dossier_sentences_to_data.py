"""Issue 12: system dossier lines were stored as sentences in the writer's language.

Their words move into `data` (what trajects.dossier needs to say them in the reader's language)
and the sentence is dropped. Both languages the product speaks are read; a line that matches
no known sentence keeps its text (it is still shown as it was).
"""

import re

from django.db import migrations

BATCH = 1000

# (kind, sentence in Dutch, the same in English, what the placeholders become in data)
SENTENCES = [
    ("created", "Lead aangemaakt", "Lead created", {}),
    (
        "created",
        "Lead aangemaakt vanuit vacature %(title)s",
        "Lead created from vacancy %(title)s",
        {"title": "vacancy_title"},
    ),
    (
        "created",
        "Lead geïmporteerd uit %(file)s (rij %(row)s)",
        "Lead imported from %(file)s (row %(row)s)",
        {"file": "file", "row": "row"},
    ),
    ("share", "Accountmanagers gewijzigd", "Account managers changed", {}),
    ("share", "%(name)s toegevoegd", "%(name)s added", {"name": "name"}),
    ("share", "%(name)s verwijderd", "%(name)s removed", {"name": "name"}),
    ("share", "Toegewezen aan %(names)s", "Assigned to %(names)s", {"names": "names"}),
    (
        "quote",
        "Offerte aangemaakt (concept): %(title)s",
        "Quote created (draft): %(title)s",
        {"title": "title"},
    ),
    (
        "quote",
        "Offerte %(number)s verzonden: %(title)s",
        "Quote %(number)s sent: %(title)s",
        {"number": "number", "title": "title"},
    ),
    ("quote", "Offerte %(number)s geaccepteerd", "Quote %(number)s accepted", {"number": "number"}),
    ("quote", "Offerte %(number)s afgewezen", "Quote %(number)s rejected", {"number": "number"}),
    (
        "quote",
        "Nieuwe versie %(number)s (concept) van offerte %(previous)s",
        "New version %(number)s (draft) of quote %(previous)s",
        {"number": "number", "previous": "previous"},
    ),
    (
        "quote",
        "Concept-offerte verwijderd: %(title)s",
        "Draft quote deleted: %(title)s",
        {"title": "title"},
    ),
]
# What each sentence says about the action, for lines written before data said it.
ACTIONS = {
    "Offerte aangemaakt": "created",
    "verzonden": "sent",
    "geaccepteerd": "accepted",
    "afgewezen": "rejected",
    "Nieuwe versie": "revised",
    "Concept-offerte verwijderd": "deleted",
}
# The word get_text_list puts before the last name, per language.
LAST_JOINER = {"nl": " en ", "en": " and "}


def _pattern(sentence: str) -> re.Pattern:
    escaped = re.escape(sentence)
    return re.compile(re.sub(r"%\\\(([a-z]+)\\\)s", r"(?P<\1>.+?)", escaped), re.DOTALL)


PATTERNS = [
    (kind, language, _pattern(sentence), keys, dutch)
    for kind, dutch, english, keys in SENTENCES
    for language, sentence in (("nl", dutch), ("en", english))
]


def _names(text: str, language: str) -> list[str]:
    """'Anna, Bob en Cor' → ['Anna', 'Bob', 'Cor'] (get_text_list undone)."""
    head, joiner, last = text.rpartition(LAST_JOINER[language])
    if not joiner:
        return [text]
    return [*head.split(", "), last]


def sentence_data(kind: str, text: str) -> dict | None:
    """The data a stored system sentence stands for; None when the text is no known sentence."""
    text = (text or "").strip()
    for pattern_kind, language, pattern, keys, dutch in PATTERNS:
        if pattern_kind != kind:
            continue
        match = pattern.fullmatch(text)
        if match is None:
            continue
        data = {}
        for placeholder, key in keys.items():
            value = match.group(placeholder)
            if key == "names":
                value = _names(value, language)
            elif key == "row":
                value = int(value) if value.isdigit() else value
            data[key] = value
        if kind == "quote":
            data["action"] = next(action for word, action in ACTIONS.items() if word in dutch)
        if kind == "share" and "name" in data:
            data["change"] = "removed" if "verwijderd" in dutch else "added"
        return data
    return None


def entry_updated(entry) -> bool:
    """Move the sentence of one entry into its data; False when there was nothing to move."""
    found = sentence_data(entry.kind, entry.text)
    if found is None:
        return False
    data = dict(entry.data or {})
    change = found.pop("change", None)
    if change:
        data.setdefault(change, None)  # the id was there already; the key says which change
    for key, value in found.items():
        data.setdefault(key, value)
    entry.data = data
    entry.text = ""
    return True


def sentences_to_data(apps, schema_editor):
    DossierEntry = apps.get_model("trajects", "DossierEntry")
    rows = (
        DossierEntry.objects.filter(kind__in=["created", "share", "quote"])
        .exclude(text="")
        .only("pk", "kind", "text", "data")
        .order_by("pk")
    )
    changed = []
    for entry in rows.iterator(chunk_size=BATCH):
        if entry_updated(entry):
            changed.append(entry)
        if len(changed) >= BATCH:
            DossierEntry.objects.bulk_update(changed, ["text", "data"])
            changed = []
    if changed:
        DossierEntry.objects.bulk_update(changed, ["text", "data"])


class Migration(migrations.Migration):
    dependencies = [("trajects", "0008_dossier_kinds_purge_record")]

    operations = [migrations.RunPython(sentences_to_data, migrations.RunPython.noop)]
