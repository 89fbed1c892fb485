"""Fixtures of the quotes tests: a traject of the accountmanager `am` with two contacts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from quotes import services
from settings_app.models import PaymentTerm

from ..factories import ContactFactory, RelationFactory, TrajectFactory

GOLDEN_LINES = [
    # 1.5 × 12.99 = 19.485 → 19.49 half-up (banker's rounding would give 19.48)
    {
        "description": "Werving",
        "quantity": "1.5",
        "unit": "uur",
        "unit_price": "12.99",
        "vat_rate": 21,
    },
    {
        "description": "Advertentie",
        "quantity": "3",
        "unit": "stuk",
        "unit_price": "100.00",
        "vat_rate": 21,
    },
    # 2.5 × 10.01 = 25.025 → 25.03 half-up (banker's: 25.02)
    {"description": "Lunch", "quantity": "2.5", "unit": "", "unit_price": "10.01", "vat_rate": 9},
]


@pytest.fixture
def relation(db):
    return RelationFactory(
        name="Hanzebouw B.V.", address="Kade 4", postcode="8011 AA", city="Zwolle"
    )


@pytest.fixture
def contact(relation):
    return ContactFactory(
        relation=relation, first_name="Piet", last_name="Jansen", email="piet@hanzebouw.nl"
    )


@pytest.fixture
def traject(am, relation, contact):
    return TrajectFactory(
        subject="Werving monteurs", relation=relation, contact=contact, accountmanagers=[am]
    )


@pytest.fixture
def term(db):
    return PaymentTerm.objects.get(name="30 dagen")


def quote_fields(traject, **overrides) -> dict:
    fields = {
        "title": "Werving monteurs",
        "contact": traject.contact,
        "payment_term": PaymentTerm.objects.active().first(),
        "valid_until": timezone.localdate() + datetime.timedelta(days=30),
        "discount_percent": Decimal("10"),
        "opening_text": "Geachte heer Jansen,",
        "closing_text": "Met vriendelijke groet",
    }
    return {**fields, **overrides}


def decimal_lines(lines) -> list[dict]:
    return [
        {**line, "quantity": Decimal(line["quantity"]), "unit_price": Decimal(line["unit_price"])}
        for line in lines
    ]


def make_quote(traject, user, *, lines=GOLDEN_LINES, **overrides):
    """A concept through the real service."""
    return services.quote_create(
        traject=traject,
        user=user,
        fields=quote_fields(traject, **overrides),
        lines=decimal_lines(lines),
    )


@pytest.fixture
def quote(traject, am):
    return make_quote(traject, am)


@pytest.fixture
def time_machine_2027(time_machine):
    """The clock on 2 January 2027: a new numbering year."""
    time_machine.move_to(datetime.datetime(2027, 1, 2, 12, tzinfo=datetime.UTC), tick=True)
