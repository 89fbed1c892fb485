"""Dates out of range (issue 12, point 8): a message beside the field, and a traject that
already holds an appointment in year 1 still opens (PostgreSQL keeps what Python cannot read)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from crm.models import Appointment
from trajects import services
from trajects.models import DossierEntry, Traject
from trajects.templatetags.traject_tags import moment

from .conftest import htmx, loaded_form, url

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Kies een datum tussen 1900 en 2100."
LOCAL = ZoneInfo(settings.TIME_ZONE)


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_an_appointment_out_of_range_gets_a_message_and_is_not_planned(
    client_for, am, traject, day
):
    data = {"date": day, "time": "10:00", "kind": "visit", "contact": traject.contact_id}
    response = client_for(am).post(url("appointment_add", traject.pk), data)
    assert response.status_code == 200
    assert response.context["appointment_form"].errors["date"] == [OUT_OF_RANGE]
    assert 'id="afspraak-date_error"' in response.text and OUT_OF_RANGE in response.text
    assert not Appointment.objects.exists()
    assert Traject.objects.get(pk=traject.pk).first_visit_on is None


@pytest.mark.parametrize("day", ["1900-01-01", "2100-12-31"])
def test_the_ends_of_the_range_are_planned(client_for, am, traject, day):
    data = {"date": day, "time": "10:00", "kind": "visit", "contact": traject.contact_id}
    response = client_for(am).post(url("appointment_add", traject.pk), data)
    assert response.status_code == 302
    assert Appointment.objects.get().start.astimezone(LOCAL).date().isoformat() == day
    assert Traject.objects.get(pk=traject.pk).first_visit_on.isoformat() == day


@pytest.mark.parametrize("field", ["expected_close", "lead_date"])
@pytest.mark.parametrize("day", ["0001-01-01", "2101-01-01"])
def test_informatie_dates_out_of_range_get_a_message(client_for, am, traject, field, day):
    client = client_for(am)
    data = loaded_form(client, traject) | {field: day}
    response = client.post(url("informatie", traject.pk), data)
    assert response.status_code == 200
    assert response.context["info_form"].errors[field] == [OUT_OF_RANGE]
    assert f'value="{day}"' in response.text  # what was typed stays
    assert getattr(Traject.objects.get(pk=traject.pk), field) == getattr(traject, field)


def test_the_date_inputs_are_text_boxes_with_the_calendar(client_for, am, traject):
    """dd-mm-jjjj with the calendar, not the browser's date input (issue 14); the range is the
    server's check above."""
    text = client_for(am).get(url("informatie", traject.pk)).text
    inputs = re.findall(r'<input type="text" name="(\w+)"[^>]*data-datepicker=[^>]*>', text)
    assert inputs == ["expected_close", "lead_date", "date", "due_on"]  # due_on: the Taken widget
    assert 'type="date"' not in text


def test_a_kept_moment_without_a_local_time_is_shown_as_kept():
    assert moment("0001-01-01T00:00:00+00:19:32") == "01-01-0001 00:00"


@pytest.mark.postgres
@pytest.mark.parametrize("user_fixture", ["am", "beheerder"])
def test_a_traject_with_an_appointment_in_year_one_still_opens(
    client_for, request, am, traject, user_fixture
):
    """What the form let through before: 0001-01-01 00:00 in Amsterdam is 1 BC in UTC, which
    PostgreSQL stores and psycopg cannot load; every page reading it answered 500."""
    services.traject_appointment_create(
        traject=traject, user=am, start=datetime.datetime(1, 1, 1, tzinfo=LOCAL)
    )
    client = client_for(request.getfixturevalue(user_fixture))
    page = client.get(url("detail", traject.pk))
    assert page.status_code == 200
    assert '<dd id="datum-1e-bezoek">01-01-0001</dd>' in page.text
    assert "01-01-0001 00:00" in page.text  # the dossier, as it was kept
    assert "02-01-0001" in page.text  # the appointment, at the earliest moment Python holds
    assert client.get(url("informatie", traject.pk)).status_code == 200
    for widget in ("afspraken", "dossier", "kop", "informatie"):
        response = client.get(url("detail", traject.pk), headers=htmx(widget))
        assert response.status_code == 200, widget
    appointment = Appointment.objects.get()
    response = client.post(url("appointment_delete", traject.pk, appointment.pk))
    assert response.status_code == 302
    assert not Appointment.objects.exists()
    assert Traject.objects.get(pk=traject.pk).visit_count == 0
    assert DossierEntry.objects.filter(traject=traject).exists()
