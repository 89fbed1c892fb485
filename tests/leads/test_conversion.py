"""Rule 1 seen from intake: a lead made through the lead form converts on its accountmanager's
first saved change, once, and moves from the leads overview to the trajects overview."""

import threading

import pytest
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone

from leads.services import lead_create, lead_distribute
from trajects import services
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import ContactFactory, RelationFactory

pytestmark = pytest.mark.django_db


def in_leads(client, subject) -> bool:
    return subject in client.get(reverse("leads:list")).text


def in_trajects(client, subject) -> bool:
    return subject in client.get(reverse("trajects:list")).text


@pytest.fixture
def lead(am):
    contact = ContactFactory()
    return lead_create(
        created_by=am, subject="Glazen deuren OTYS", relation=contact.relation, contact=contact
    )


def converted(lead) -> bool:
    return Traject.objects.get(pk=lead.pk).converted_at is not None


def test_the_first_changed_value_by_its_accountmanager_converts(client_for, am, lead):
    client = client_for(am)
    assert in_leads(client, lead.subject) and not in_trajects(client, lead.subject)
    before = timezone.now()
    services.traject_update(traject=lead, user=am, changes={"value": "2500"})
    lead.refresh_from_db()
    assert before <= lead.converted_at <= timezone.now()
    entry = DossierEntry.objects.get(traject=lead, kind=DossierKind.CONVERSION)
    assert entry.author == am
    assert not in_leads(client, lead.subject) and in_trajects(client, lead.subject)
    assert lead.subject in client.get(reverse("leads:list"), {"converted": "on"}).text


def test_saving_without_a_change_does_not_convert(am, lead):
    services.traject_update(
        traject=lead,
        user=am,
        changes={"subject": lead.subject, "probability": str(lead.probability)},
    )
    assert not converted(lead)


def test_a_beheerders_edit_does_not_convert(client_for, am, beheerder, lead):
    services.traject_update(traject=lead, user=beheerder, changes={"probability": 80})
    assert not converted(lead)
    assert in_leads(client_for(am), lead.subject)


def test_notes_appointments_and_shares_do_not_convert(am, other_am, lead):
    services.dossier_note_add(traject=lead, user=am, text="Gebeld, terugbellen vrijdag")
    services.traject_appointment_create(traject=lead, user=am, start=timezone.now())
    services.traject_accountmanager_add(traject=lead, user=am, accountmanager=other_am)
    assert not converted(lead)


def test_a_distributed_lead_converts_on_its_new_accountmanagers_edit(beheerder, am):
    pool = lead_create(created_by=beheerder, subject="Uit de pot", relation=RelationFactory())
    services.traject_update(traject=pool, user=beheerder, changes={"probability": 60})
    assert not converted(pool)  # nobody assigned: stays a lead
    lead_distribute(leads=[pool.pk], accountmanagers=[am], by=beheerder)
    assert not converted(pool)  # distribution itself does not convert
    services.traject_update(traject=pool, user=am, changes={"probability": 65})
    assert converted(pool)


def test_conversion_happens_once_and_keeps_its_time(am, other_am, lead):
    services.traject_accountmanager_add(traject=lead, user=am, accountmanager=other_am)
    services.traject_update(traject=lead, user=am, changes={"probability": 60})
    first = Traject.objects.get(pk=lead.pk).converted_at
    services.traject_update(traject=lead, user=other_am, changes={"probability": 70})
    services.traject_update(traject=lead, user=am, changes={"probability": 75})
    assert Traject.objects.get(pk=lead.pk).converted_at == first
    assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).count() == 1


def test_an_accountmanager_cannot_convert_a_lead_he_does_not_see(other_am, lead):
    with pytest.raises(Traject.DoesNotExist):
        services.traject_update(traject=lead, user=other_am, changes={"probability": 60})
    assert not converted(lead)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_threads_in_a_first_edit_convert_a_new_lead_exactly_once(am):
    lead = lead_create(created_by=am, subject="Race", relation=RelationFactory())
    barrier = threading.Barrier(10)
    results = [None] * 10

    def edit(i):
        try:
            barrier.wait()
            results[i] = services.traject_update(
                traject=lead.pk, user=am, changes={"probability": 51 + i}
            )
        except Exception as exc:  # noqa: BLE001 -- every outcome is inspected below
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(result, Traject) for result in results), results
    lead.refresh_from_db()
    assert lead.converted_at is not None
    assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.CONVERSION).count() == 1
    assert lead.version == 11
