"""The English translation is complete and compiled (a fresh clone needs no gettext)."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
MO = ROOT / "locale/en/LC_MESSAGES/django.mo"


def po_entries():
    """(msgid, msgstr) pairs of the .po, multi-line strings joined."""
    text = PO.read_text(encoding="utf-8")
    pairs = []
    for block in text.split("\n\n"):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""\n"Project' not in block:
            pairs.append(("FUZZY", ""))
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr:

            def join(chunk):
                return "".join(re.findall(r'"(.*)"', chunk.group(1)))

            pairs.append((join(msgid), join(msgstr)))
    return [(i, s) for i, s in pairs if i]


def test_every_string_has_an_english_translation():
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []


def test_compiled_catalog_matches_the_po_file():
    catalog = gettext.GNUTranslations(MO.open("rb"))
    stale = [
        msgid
        for msgid, msgstr in po_entries()
        if catalog.gettext(msgid.encode().decode("unicode_escape")) == msgid and msgid != msgstr
    ]
    assert stale == [], "run `make messages` and commit the .mo"
