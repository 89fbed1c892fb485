"""Issue 12, point 6 for the conversion and the field changes (stage, type, kans) of rule 6:
stored as kind and data, said in the reader's language (test_dossier_trail.py covers created,
share, quote and appointment lines)."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from settings_app.models import Stage
from trajects import services
from trajects.models import DossierEntry, DossierKind

from ..factories import TrajectFactory
from .conftest import htmx, url

pytestmark = pytest.mark.django_db


def dossier(client, traject, language) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url("detail", traject.pk), headers=htmx("dossier"))
    assert response.status_code == 200
    return response.text


def test_a_dutch_conversion_and_closing_read_in_english(client_for, am):
    lead = TrajectFactory(subject="Glazen deuren", accountmanagers=[am], converted_at=None)
    with translation.override("nl"):
        services.traject_update(traject=lead, user=am, changes={"value": "2500"})
        services.traject_update(
            traject=lead, user=am, changes={"stage": Stage.objects.get(name="Verloren").pk}
        )
    assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).exists()
    assert not DossierEntry.objects.filter(traject=lead).exclude(text="").exists()

    client = client_for(am)
    english = dossier(client, lead, "en")
    assert "<strong>Conversion</strong>" in english and "Conversie" not in english
    said = " ".join(re.sub(r"<[^>]+>", " ", english).split())
    for line in ("Type changed", "Type: Prospect → Lost", "Stage changed", "Probability: 50% → 0%"):
        assert line in said, line
    assert "Kans:" not in said and "gewijzigd" not in said
    dutch = dossier(client, lead, "nl")
    assert "<strong>Conversie</strong>" in dutch and "Conversion" not in dutch
