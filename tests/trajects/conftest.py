"""Fixtures of the traject detail page tests: a traject of `am` with a contact."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ..factories import ContactFactory, TrajectFactory
from .html import form_data

WIDGET_IDS = [
    "kop",
    "informatie",
    "accountmanagers",
    "afspraken",
    "notities",
    "dossier",
    "geschiedenis",
]


def url(name: str, *args) -> str:
    return reverse(f"trajects:{name}", args=args)


def htmx(target: str) -> dict:
    """Headers of an htmx request aimed at the element with this id."""
    return {"HX-Request": "true", "HX-Target": target}


def loaded_form(client, traject) -> dict:
    """What the Informatie form sends when saved unchanged, as the user's browser loaded it."""
    response = client.get(url("informatie", traject.pk))
    assert response.status_code == 200
    return form_data(response.text, action=url("informatie", traject.pk))


@pytest.fixture
def contact(db):
    return ContactFactory(first_name="Jan", last_name="Jansen")


@pytest.fixture
def traject(am, contact):
    return TrajectFactory(
        subject="Glazen deuren",
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        probability=50,
        value=Decimal("1000.00"),
    )
