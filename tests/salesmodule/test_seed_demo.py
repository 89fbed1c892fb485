import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from crm.models import Appointment, Relation
from settings_app.roles import roles_of
from trajects.models import StatisticsSet, Traject

pytestmark = pytest.mark.django_db


def fingerprint():
    rows = Traject.objects.order_by("pk").values_list(
        "subject",
        "relation__name",
        "probability",
        "value",
        "expected_close",
        "accountmanager_count",
    )
    return list(rows)


def test_seed_demo_makes_the_documented_logins_and_a_realistic_set(capsys):
    call_command("seed_demo", "--trajects", "600")
    request = RequestFactory().post("/accounts/login/")  # the login throttling needs one
    for login in ["beheerder", "keyuser", "am1", "am5"]:
        assert authenticate(request, username=login, password="demo") is not None, login
    beheerder = authenticate(request, username="beheerder", password="demo")
    am1 = authenticate(request, username="am1", password="demo")
    keyuser = authenticate(request, username="keyuser", password="demo")
    assert roles_of(beheerder).beheerder and not roles_of(beheerder).accountmanager
    assert roles_of(am1).accountmanager and not roles_of(am1).beheerder
    assert roles_of(keyuser).keyuser

    assert Traject.objects.count() == 600
    assert Relation.objects.count() == 300
    assert StatisticsSet.objects.current().rows.exists(), "the demo shows statistische kansen"
    assert Traject.objects.leads().unassigned().exists(), "some leads wait in the pool"
    assert Traject.objects.filter(accountmanager_count__gte=2).exists(), "some are shared"
    assert Appointment.objects.visits().exists()
    # The stored counts agree with the rows they summarise.
    for traject in Traject.objects.all()[:100]:
        assert traject.accountmanager_count == traject.accountmanager_links.count()
        assert traject.visit_count == traject.appointments.filter(kind="visit").count()
    # Converted trajects always have an accountmanager (rule 7); pool records are leads.
    assert not Traject.objects.trajects().filter(accountmanager_count=0).exists()
    mine = Traject.objects.visible_to(am1)
    assert 0 < mine.count() < Traject.objects.visible_to(beheerder).count()
    assert "am1" in capsys.readouterr().out


def test_seed_demo_refuses_when_trajects_exist_unless_forced():
    call_command("seed_demo", "--trajects", "50")
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--trajects", "50")
    call_command("seed_demo", "--trajects", "50", "--if-empty")
    assert Traject.objects.count() == 50
    call_command("seed_demo", "--trajects", "50", "--force")
    assert Traject.objects.count() == 100


def test_seed_demo_is_deterministic(django_db_blocker):
    call_command("seed_demo", "--trajects", "200")
    first = fingerprint()
    Appointment.objects.all().delete()
    Traject.objects.all().delete()
    Relation.objects.all().delete()
    call_command("seed_demo", "--trajects", "200")
    second = fingerprint()
    # Relation names and every generated value repeat; only the ids moved on.
    assert [row[1:] for row in first] == [row[1:] for row in second]


def test_seed_demo_rejects_a_silly_size():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--trajects", "0")
