"""A quote's dates keep to 1900-2100 (issue 12, point 8): a message beside the field."""

import datetime

import pytest

from quotes.models import Quote

from .test_views import create_url, form_data

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC)


@pytest.mark.parametrize("day", ["2101-01-01", "9999-12-31"])
def test_valid_until_past_2100_comes_back_beside_the_field(
    client_for, am, traject, time_machine, day
):
    time_machine.move_to(TODAY, tick=False)
    response = client_for(am).post(create_url(traject), form_data(traject, valid_until=day))
    assert response.status_code == 200
    assert response.context["form"].errors["valid_until"] == ["Kies een datum tussen 1900 en 2100."]
    assert f'value="{day}"' in response.text
    assert not Quote.objects.exists()


def test_valid_until_2100_12_31_is_kept(client_for, am, traject, time_machine):
    time_machine.move_to(TODAY, tick=False)
    data = form_data(traject, valid_until="2100-12-31")
    response = client_for(am).post(create_url(traject), data)
    assert response.status_code == 302
    assert Quote.objects.get().valid_until == datetime.date(2100, 12, 31)


def test_the_date_field_shows_the_pages_notation(client_for, am, traject, time_machine):
    """A text box in dd-mm-jjjj with the calendar, not the browser's own date input (issue 14);
    the range is the server's check above."""
    time_machine.move_to(TODAY, tick=False)
    text = client_for(am).get(create_url(traject)).text
    assert 'type="text" name="valid_until" value="01-07-2026"' in text
    assert 'placeholder="dd-mm-jjjj"' in text and "js/datepicker.js" in text
