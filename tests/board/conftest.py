"""Fixtures of the board tests: Sales Select on for the client, a frozen clock."""

import datetime

import pytest
from django.urls import reverse

from settings_app.models import Stage

# Every board test runs on this day (time_machine), whatever TEST_CLOCK says.
TODAY = datetime.date(2027, 3, 15)


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
    return TODAY


def stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


def board_url(**params) -> str:
    from urllib.parse import urlencode

    query = urlencode(params, doseq=True)
    return reverse("board:index") + (f"?{query}" if query else "")


def htmx(target: str = "") -> dict:
    headers = {"HX-Request": "true"}
    if target:
        headers["HX-Target"] = target
    return headers
