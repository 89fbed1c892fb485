"""The daily task e-mail (issue 15, point 3): one e-mail per person with overdue or today's open
tasks, none when nothing is due, switched off in "Mijn instellingen"; sent by Celery beat."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from followups.digest import task_digest_send
from settings_app.services import user_preferences_set

from ..factories import AccountmanagerFactory, TaskFactory, TrajectFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 4)  # a Monday
D = datetime.date


def task(user, due_on, **kwargs):
    traject = kwargs.pop("traject", None) or TrajectFactory(accountmanagers=[user])
    return TaskFactory(traject=traject, assignee=user, due_on=due_on, **kwargs)


def test_one_email_per_person_with_overdue_and_todays_tasks(am, other_am):
    am.email, other_am.email = "anna@example.com", "bob@example.com"
    am.save(), other_am.save()
    task(am, D(2026, 12, 31), title="Offerte nabellen")
    task(am, TODAY, title="Bezoek plannen", due_time=datetime.time(9, 30))
    task(am, TODAY + datetime.timedelta(days=1), title="Morgen pas")
    task(other_am, TODAY, title="Contract sturen")
    assert task_digest_send(today=TODAY) == 2
    by_person = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_person) == ["anna@example.com", "bob@example.com"]
    anna = by_person["anna@example.com"]
    assert anna.subject == "Mijn taken: 2 taken verlopen of voor vandaag"
    assert "Verlopen:\n- 31-12-2026  Offerte nabellen" in anna.body
    assert "Vandaag:\n- 09:30  Bezoek plannen" in anna.body
    assert "Morgen pas" not in anna.body
    assert f"{settings.SITE_URL}/taken/" in anna.body
    assert "Contract sturen" in by_person["bob@example.com"].body
    assert "Offerte nabellen" not in by_person["bob@example.com"].body


def test_none_when_nothing_is_due(am):
    am.email = "anna@example.com"
    am.save()
    task(am, TODAY + datetime.timedelta(days=1))
    done = task(am, TODAY - datetime.timedelta(days=2))
    done.done_at = datetime.datetime(2027, 1, 3, 12, tzinfo=datetime.UTC)
    done.save()
    binned = task(am, TODAY - datetime.timedelta(days=1))
    binned.traject.deleted_at = datetime.datetime(2027, 1, 3, 12, tzinfo=datetime.UTC)
    binned.traject.save()
    assert task_digest_send(today=TODAY) == 0
    assert mail.outbox == []


def test_not_to_who_switched_it_off_is_inactive_or_has_no_address(am, client_for):
    am.email = "anna@example.com"
    am.save()
    task(am, TODAY)
    gone = AccountmanagerFactory(email="gone@example.com", is_active=False)
    task(gone, TODAY)
    nameless = AccountmanagerFactory(email="")
    task(nameless, TODAY)
    # Switched off in Mijn instellingen, over HTTP.
    response = client_for(am).post("/voorkeuren/", {"density": "comfortable", "shortcuts": "on"})
    assert response.status_code == 302
    assert task_digest_send(today=TODAY) == 0
    user_preferences_set(user=am, task_digest=True)
    assert task_digest_send(today=TODAY) == 1 and mail.outbox[0].to == ["anna@example.com"]


def test_beat_sends_it_at_seven():
    entry = settings.CELERY_BEAT_SCHEDULE["followups-task-digest"]
    assert entry["task"] == "followups.task_digest_send"
    schedule = entry["schedule"]
    assert schedule.hour == {7} and schedule.minute == {0}


def test_the_celery_task_sends_todays_digest(am, time_machine):
    from followups.tasks import task_digest_send as celery_task

    time_machine.move_to(datetime.datetime(2027, 1, 4, 6, 0, tzinfo=datetime.UTC), tick=False)
    am.email = "anna@example.com"
    am.save()
    task(am, TODAY)
    assert celery_task.apply().get() == 1  # as a worker runs it, here in the test
    assert len(mail.outbox) == 1


def test_nothing_about_a_traject_the_assignee_may_no_longer_see(am, other_am, beheerder):
    """A task left on a traject its assignee was taken off (nobody else on it to inherit it)
    is not mailed to him; a beheerder's own task on any traject is."""
    am.email, beheerder.email = "anna@example.com", "bea@example.com"
    am.save(), beheerder.save()
    traject = TrajectFactory(accountmanagers=[am], subject="Geheim")
    task(am, TODAY, traject=traject, title="Weg van dit traject")
    traject.accountmanager_links.all().delete()  # as a forced removal would leave it
    task(beheerder, TODAY, traject=TrajectFactory(accountmanagers=[other_am]), title="Van Bea")
    assert task_digest_send(today=TODAY) == 1
    assert mail.outbox[0].to == ["bea@example.com"] and "Van Bea" in mail.outbox[0].body
