import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from crm.models import Appointment, Relation
from settings_app.roles import roles_of
from trajects.models import StatisticsSet, Traject
from vacancies.models import Vacancy

pytestmark = pytest.mark.django_db


def fingerprint():
    rows = Traject.objects.order_by("pk").values_list(
        "subject",
        "relation__name",
        "probability",
        "value",
        "expected_close",
        "accountmanager_count",
        "stage__name",
        "vacancy__title",
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
    Vacancy.objects.all().delete()
    Relation.objects.all().delete()
    call_command("seed_demo", "--trajects", "200")
    second = fingerprint()
    # Relation names and every generated value repeat; only the ids moved on.
    assert [row[1:] for row in first] == [row[1:] for row in second]


def test_seed_demo_rejects_a_silly_size():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--trajects", "0")


def test_the_banner_prints_the_address_served_on(capsys, monkeypatch):
    call_command("demo_logins", "--host", "127.0.0.1", "--port", "8123")
    assert "— http://127.0.0.1:8123/" in capsys.readouterr().out
    monkeypatch.setenv("HOST", "localhost")
    monkeypatch.setenv("PORT", "9000")
    call_command("demo_logins")
    assert "— http://localhost:9000/" in capsys.readouterr().out
    call_command("demo_logins", "--host", "0.0.0.0", "--port", "80")  # noqa: S104
    assert "— http://127.0.0.1:80/" in capsys.readouterr().out  # all interfaces: this machine
    monkeypatch.delenv("HOST")
    monkeypatch.delenv("PORT")
    call_command("demo_logins")
    assert "— http://127.0.0.1:8000/" in capsys.readouterr().out


def test_seed_demo_shows_every_feature_and_obeys_the_rules(time_machine):
    from datetime import UTC, date, datetime

    from django.db.models import Count, Q

    from settings_app.models import Outcome, Stage
    from trajects.models import DossierEntry, DossierKind

    time_machine.move_to(datetime(2026, 11, 23, 12, tzinfo=UTC), tick=False)
    call_command("seed_demo", "--trajects", "600")
    trajects = Traject.objects.select_related("type", "stage").prefetch_related(
        "stage__business_types"
    )

    # Vacancies, some with leads hung on them (manual 3.4.2), on the vacancy's relation.
    assert Vacancy.objects.filter(relation__isnull=False).count() >= 3
    assert Vacancy.objects.filter(relation__isnull=True).exists(), "shows 'koppel een relatie'"
    hung = Traject.objects.leads().filter(vacancy__isnull=False).select_related("vacancy")
    assert hung.values("vacancy").distinct().count() >= 2
    for lead in hung:
        assert lead.relation_id == lead.vacancy.relation_id

    # Rule 6: won 100 %, lost 0 %, the stage of its business type and of its outcome.
    one_type_stages = Stage.objects.annotate(n=Count("business_types")).filter(n=1)
    assert one_type_stages.exists(), "a stage that belongs to one business type only"
    assert Traject.objects.filter(stage__in=one_type_stages).exists()
    for traject in trajects:
        outcome = traject.type.outcome
        assert traject.probability == {"won": 100, "lost": 0}.get(outcome, traject.probability)
        if traject.stage is None:  # the board's "Geen stage" column: open ones only
            assert outcome == Outcome.OPEN
            continue
        assert traject.business_type_id in {bt.pk for bt in traject.stage.business_types.all()}
        assert traject.stage.outcome_on_entry == ("" if outcome == Outcome.OPEN else outcome)
    assert Traject.objects.filter(type__outcome="won").exists()
    assert Traject.objects.filter(type__outcome="lost").exists()
    if hasattr(Traject, "closed_at"):  # closing kept (the stages branch's fields)
        closed = Traject.objects.exclude(type__outcome=Outcome.OPEN)
        assert not closed.filter(
            Q(closed_at__isnull=True)
            | Q(open_probability__isnull=True)
            | Q(closed_from_stage__isnull=True)
        ).exists()
        assert not Traject.objects.filter(type__outcome=Outcome.OPEN, closed_at__isnull=False)

    # Notes and dossier history beside the appointments, on a small number of trajects.
    entries = DossierEntry.objects.all()
    for kind in (
        DossierKind.NOTE,
        DossierKind.CONVERSION,
        DossierKind.STAGE_CHANGE,
        DossierKind.TYPE_CHANGE,
        DossierKind.APPOINTMENT,
        DossierKind.CREATED,
        DossierKind.SHARE,
    ):
        assert entries.filter(kind=kind).exists(), kind
    assert entries.filter(kind=DossierKind.FIELD_CHANGE, data__field="expected_close").exists()
    with_history = Traject.objects.filter(dossier_entries__kind=DossierKind.CONVERSION).distinct()
    assert 20 <= with_history.count() <= 120
    am1 = authenticate(RequestFactory().post("/accounts/login/"), username="am1", password="demo")
    assert entries.notes().visible_to(am1).exists(), "am1 sees notes on first login"
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    for traject in with_history.select_related("stage", "type"):
        history = list(traject.dossier_entries.order_by("created_at", "pk"))
        for e in history:
            assert traject.created_at <= e.created_at <= now, (e.kind, e.data, e.created_at)
        conversion = next(e for e in history if e.kind == DossierKind.CONVERSION)
        assert conversion.created_at == traject.converted_at
        stages = [e for e in history if e.kind == DossierKind.STAGE_CHANGE]
        if stages:
            assert stages[-1].data["new"] == traject.stage.name
        pushed = [e for e in history if e.data.get("field") == "expected_close"]
        if pushed:
            assert pushed[-1].data["new"] == traject.expected_close.isoformat()
            assert date.fromisoformat(pushed[-1].data["old"]) < traject.expected_close
        kans = [e for e in history if e.data.get("field") == "probability"]
        if kans:
            assert kans[-1].data["new"] == str(traject.probability)
        if traject.type.outcome != Outcome.OPEN:
            assert [e.data["new"] for e in history if e.kind == DossierKind.TYPE_CHANGE] == [
                traject.type.name
            ]


def test_seed_demo_has_stages_per_business_type_and_stage_history(time_machine):
    """The board's benchmark data: partly different stages per business type, open trajects
    over all of them (and some without a stage), and a stage history that agrees with the
    traject: a walk through the open stages of its type up to its stage, for closed ones on
    into the outcome stage, at rising moments between the conversion and the closing."""
    from datetime import UTC, datetime

    from settings_app.models import BusinessType, Outcome
    from trajects.models import DossierKind

    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    call_command("seed_demo", "--trajects", "1000")
    new, existing = BusinessType.objects.order_by("order")[:2]
    own = {bt: [s.name for s in bt.stages.order_by("order", "pk")] for bt in (new, existing)}
    assert own[new][0] == "Kennismaking" and "Kennismaking" not in own[existing]
    assert "Verlenging" in own[existing] and "Verlenging" not in own[new]
    assert own[new][-2:] == own[existing][-2:] == ["Gewonnen", "Verloren"]
    open_ = Traject.objects.filter(type__outcome=Outcome.OPEN)
    for bt in (new, existing):
        used = set(open_.filter(business_type=bt).values_list("stage__name", flat=True))
        assert used == {*own[bt][:-2], None}, bt  # every open stage, and "Geen stage"

    walked = Traject.objects.filter(dossier_entries__kind=DossierKind.STAGE_CHANGE).distinct()
    assert walked.count() > 100
    for traject in walked.select_related("type", "stage", "closed_from_stage"):
        steps = list(
            traject.dossier_entries.filter(kind=DossierKind.STAGE_CHANGE).order_by(
                "created_at", "pk"
            )
        )
        names = [steps[0].data["old"]] + [step.data["new"] for step in steps]
        assert names[-1] == traject.stage.name
        for before, after in zip(names, names[1:], strict=False):
            assert before != after
        for earlier, later in zip(steps, steps[1:], strict=False):
            assert earlier.data["new"] == later.data["old"]
        assert traject.converted_at <= steps[0].created_at
        assert steps[-1].created_at <= (traject.closed_at or now)
        stage_names = own[new] if traject.business_type_id == new.pk else own[existing]
        if traject.type.outcome == Outcome.OPEN:
            assert names == stage_names[: len(names)], "a walk from the first stage on"
        else:
            assert names[-2] == traject.closed_from_stage.name
            assert steps[-1].created_at == traject.closed_at
        if hasattr(traject, "stage_changed_at"):
            assert traject.stage_changed_at == steps[-1].created_at
