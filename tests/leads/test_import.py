"""The lead import: preview naming bad rows, all-or-nothing import, Celery, permissions."""

import io
import re
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Contact, Relation
from leads import services
from leads.models import ImportStatus, LeadImport
from salesmodule.celery import app as celery_app
from settings_app.models import TrajectType
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import AccountmanagerFactory, ContactFactory, RelationFactory

pytestmark = pytest.mark.django_db

HEADER = "subject,relation,contact,email,value,source,accountmanager e-mail"


@pytest.fixture
def eager():
    """Run queued tasks inline, as in the embedded default, also when REDIS_URL is set."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture
def anna(db):
    return AccountmanagerFactory(username="anna", email="anna@bureau.nl")


def csv_file(lines, name="leads.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def xlsx_file(rows, name="leads.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, file):
    return client.post(reverse("leads:import"), {"file": file})


def start(client, lead_import, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("leads:import_start", args=[lead_import.pk]))


def test_the_preview_names_every_bad_row_and_why(client_for, beheerder, anna):
    lines = [
        HEADER,
        "Glazen deuren,OTYS,Jan de Vries,jan@otys.nl,1500,LinkedIn,anna@bureau.nl",
        ",OTYS,,,,,",
        "Kozijnen,Bouw B.V.,,,abc,,",
        "Dakkapel,Bouw B.V.,,,,,onbekend@bureau.nl",
        "Trap,Bouw B.V.,,,-5,Fax,",
        "Deur,,,geen-mail,,,",
        "Raam," + "x" * 201 + ",,,,,",
        "",
    ]
    client = client_for(beheerder)
    response = upload(client, csv_file(lines))
    lead_import = LeadImport.objects.get()
    assert response.url == reverse("leads:import_detail", args=[lead_import.pk])
    assert (lead_import.total_rows, lead_import.valid_rows) == (7, 1)
    reasons = {bad["row"]: "; ".join(bad["errors"]) for bad in lead_import.bad_rows}
    assert reasons == {
        3: "onderwerp ontbreekt",
        4: 'waarde "abc" is geen bedrag',
        5: 'onbekende accountmanager "onbekend@bureau.nl"',
        6: 'waarde "-5" kan niet negatief zijn; onbekende bron "Fax"',
        7: 'relatie ontbreekt; e-mailadres "geen-mail" is ongeldig',
        8: "relatienaam is langer dan 200 tekens",
    }
    html = client.get(response.url).text
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td></tr>', html)
    assert [int(number) for number, _ in rows] == [3, 4, 5, 6, 7, 8]
    assert "onbekende accountmanager &quot;onbekend@bureau.nl&quot;" in html
    assert "1 lead importeren" in html
    assert not Traject.objects.exists() and not Relation.objects.exists()


def test_an_inactive_accountmanager_is_named_as_such(beheerder):
    AccountmanagerFactory(username="weg", email="weg@bureau.nl", is_active=False)
    lead_import = services.lead_import_preview(
        created_by=beheerder,
        filename="l.csv",
        content=f"{HEADER}\nx,Y,,,,,weg@bureau.nl".encode(),
    )
    assert lead_import.bad_rows == [
        {"row": 2, "errors": ['"weg@bureau.nl" is geen actieve accountmanager']}
    ]


def test_the_import_adds_the_valid_rows(
    client_for, beheerder, anna, eager, django_capture_on_commit_callbacks
):
    existing = RelationFactory(name="Café Noël")
    known = ContactFactory(
        relation=existing, first_name="Els", last_name="Vos", email="els@noel.nl"
    )
    lines = [
        HEADER,
        "Glazen deuren,cafe noel,Els Vos,ELS@noel.nl,1500,LinkedIn,anna@bureau.nl",
        "Nieuwe kozijnen,Bouw B.V.,Piet Bakker,piet@bouw.nl,,,",
        "Dakkapel,BOUW B.V.,Piet Bakker,piet@bouw.nl,2.500,,",
        "Fout,Bouw B.V.,,,abc,,",
    ]
    client = client_for(beheerder)
    upload(client, csv_file(lines))
    lead_import = LeadImport.objects.get()
    response = start(client, lead_import, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    lead_import.refresh_from_db()
    assert lead_import.status == ImportStatus.DONE
    assert (lead_import.imported_count, lead_import.relations_created) == (3, 1)

    glass = Traject.objects.get(subject="Glazen deuren")
    assert glass.relation == existing and glass.contact == known
    assert list(glass.accountmanagers.all()) == [anna] and glass.accountmanager_count == 1
    assert glass.business_type.code == "EB" and glass.value == Decimal("1500")
    assert glass.source.name == "LinkedIn" and glass.is_lead
    assert glass.probability == 50 and glass.lead_by == beheerder
    assert glass.expected_close == glass.lead_date

    bouw = Relation.objects.get(name="Bouw B.V.")
    others = Traject.objects.filter(relation=bouw)
    assert others.count() == 2  # one relation for both spellings
    assert {t.business_type.code for t in others} == {"NB"}
    assert Contact.objects.filter(relation=bouw).count() == 1
    assert others.get(subject="Dakkapel").value == Decimal("2500")
    assert all(t.accountmanager_count == 0 for t in others)  # to the pool
    assert DossierEntry.objects.filter(kind=DossierKind.CREATED).count() == 3

    html = client.get(reverse("leads:import_detail", args=[lead_import.pk])).text
    assert "3 leads geïmporteerd (1 nieuwe relaties)" in html
    assert "Glazen deuren" in client_for(anna).get(reverse("leads:list")).text


def test_xlsx_with_dutch_headers(
    client_for, beheerder, anna, eager, django_capture_on_commit_callbacks
):
    rows = [
        ["Onderwerp", "Relatie", "Contactpersoon", "E-mail", "Waarde", "Bron", "Accountmanager"],
        ["Uit Excel", "Excel B.V.", "Eva Smit", "eva@excel.nl", 1250.5, "Google", "anna@bureau.nl"],
        ["Geen waarde", "Excel B.V.", None, None, None, None, None],
        ["Fout", "Excel B.V.", None, None, "veel", None, None],
    ]
    client = client_for(beheerder)
    upload(client, xlsx_file(rows))
    lead_import = LeadImport.objects.get()
    assert lead_import.bad_rows == [{"row": 4, "errors": ['waarde "veel" is geen bedrag']}]
    start(client, lead_import, django_capture_on_commit_callbacks)
    lead = Traject.objects.get(subject="Uit Excel")
    assert lead.value == Decimal("1250.50") and lead.contact.email == "eva@excel.nl"
    assert Traject.objects.count() == 2


def test_semicolons_and_dutch_amounts(beheerder, eager, django_capture_on_commit_callbacks):
    content = "onderwerp;relatie;waarde\nA;R;1.250,50\nB;R;€ 99.303\nC;R;1250.5\n".encode("cp1252")
    lead_import = services.lead_import_preview(
        created_by=beheerder, filename="nl.csv", content=content
    )
    assert lead_import.bad_rows == []
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_import_start(lead_import=lead_import, user=beheerder)
    values = dict(Traject.objects.values_list("subject", "value"))
    assert values == {"A": Decimal("1250.50"), "B": Decimal("99303"), "C": Decimal("1250.50")}


def test_the_import_reads_amounts_as_the_forms_do(
    beheerder, eager, django_capture_on_commit_callbacks
):
    content = (
        "onderwerp;relatie;waarde\nA;R;10.000\nB;R;€ 2.500\nC;R;2.500,50\nD;R;2,500.50\n"
        "E;R;1 000\nF;R;12,5\n"
    ).encode("cp1252")
    lead_import = services.lead_import_preview(
        created_by=beheerder, filename="nl.csv", content=content
    )
    assert lead_import.bad_rows == []
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_import_start(lead_import=lead_import, user=beheerder)
    assert dict(Traject.objects.values_list("subject", "value")) == {
        "A": Decimal("10000"),
        "B": Decimal("2500"),
        "C": Decimal("2500.50"),
        "D": Decimal("2500.50"),
        "E": Decimal("1000"),
        "F": Decimal("12.50"),
    }


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("leads.pdf", b"%PDF-1.4"), "Kies een CSV- of XLSX-bestand."),
        (SimpleUploadedFile("leads.xlsx", b"geen zip"), "kan niet worden gelezen"),
        (SimpleUploadedFile("leads.csv", b"naam,plaats\nA,B\n"), "ontbreekt: subject, relation"),
        (SimpleUploadedFile("leads.csv", b"subject,relation\n"), "geen rijen met leads"),
        (SimpleUploadedFile("leads.csv", b""), "leeg"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(client_for, beheerder, file, message):
    response = upload(client_for(beheerder), file)
    assert response.status_code == 200
    assert message in response.text
    assert not LeadImport.objects.exists()


def test_nothing_is_half_imported_when_the_import_fails(
    client_for, beheerder, anna, eager, django_capture_on_commit_callbacks
):
    client = client_for(beheerder)
    upload(client, csv_file([HEADER, "A,Nieuw B.V.,Jan Jansen,,,,", "B,Ander B.V.,,,,,"]))
    lead_import = LeadImport.objects.get()
    # Break the import after relations and contacts are written: no default traject type.
    TrajectType.objects.update(is_default=False)
    start(client, lead_import, django_capture_on_commit_callbacks)
    lead_import.refresh_from_db()
    assert lead_import.status == ImportStatus.FAILED and lead_import.error
    assert not Relation.objects.exists() and not Contact.objects.exists()
    assert not Traject.objects.exists()
    html = client.get(reverse("leads:import_detail", args=[lead_import.pk])).text
    assert "De import is mislukt; er is niets geïmporteerd." in html


def test_running_or_starting_twice_imports_once(
    beheerder, eager, django_capture_on_commit_callbacks
):
    lead_import = services.lead_import_preview(
        created_by=beheerder, filename="l.csv", content=b"subject,relation\nA,R\nB,R\n"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.lead_import_start(lead_import=lead_import, user=beheerder)
        services.lead_import_start(lead_import=lead_import, user=beheerder)
    queued = [callback for callback in callbacks if callback.__module__ == "leads.services"]
    assert len(queued) == 1  # queued once (the other callbacks announce the new leads)
    assert Traject.objects.count() == 2
    services.lead_import_run(import_id=lead_import.pk)  # a redelivered task changes nothing
    assert Traject.objects.count() == 2


@pytest.mark.parametrize("user_fixture", ["am", "nobody"])
def test_only_a_beheerder_imports(client_for, request, beheerder, user_fixture):
    lead_import = services.lead_import_preview(
        created_by=beheerder, filename="l.csv", content=b"subject,relation\nA,R\n"
    )
    client = client_for(request.getfixturevalue(user_fixture))
    responses = [
        client.get(reverse("leads:import")),
        client.post(reverse("leads:import"), {"file": csv_file(["subject,relation", "x,y"])}),
        client.get(reverse("leads:import_detail", args=[lead_import.pk])),
        client.post(reverse("leads:import_start", args=[lead_import.pk])),
    ]
    for response in responses:
        assert response.status_code == 403
        assert "Alleen een sales beheerder kan leads importeren" in response.text
    lead_import.refresh_from_db()
    assert lead_import.status == ImportStatus.PREVIEW
    assert LeadImport.objects.count() == 1 and not Traject.objects.exists()


def test_an_unknown_import_is_404(client_for, beheerder):
    assert client_for(beheerder).get(reverse("leads:import_detail", args=[9])).status_code == 404


def test_the_status_region_polls_while_the_import_runs(client_for, beheerder):
    lead_import = services.lead_import_preview(
        created_by=beheerder, filename="l.csv", content=b"subject,relation\nA,R\n"
    )
    LeadImport.objects.filter(pk=lead_import.pk).update(status=ImportStatus.RUNNING)
    url = reverse("leads:import_detail", args=[lead_import.pk])
    response = client_for(beheerder).get(url, headers={"HX-Request": "true", "HX-Target": "status"})
    assert response.text.lstrip().startswith('<div id="status"')
    assert 'hx-trigger="every 1s"' in response.text and "Bezig met importeren" in response.text
    LeadImport.objects.filter(pk=lead_import.pk).update(status=ImportStatus.DONE)
    done = client_for(beheerder).get(url, headers={"HX-Request": "true", "HX-Target": "status"})
    assert "hx-trigger" not in done.text  # polling stops


def ten_thousand_rows() -> tuple[bytes, set[int]]:
    lines = [HEADER]
    bad = {
        1_234: ",Firma 1,,,,,",
        5_678: "Lead,Firma 2,,,abc,,",
        9_999: "Lead,Firma 3,,,,,nee@x.nl",
    }
    for number in range(2, 10_002):
        lines.append(
            bad.get(number)
            or f"Lead {number},Firma {number % 700},Contact {number % 900},"
            f"c{number % 900}@firma.nl,{number}.50,Website,{'anna@bureau.nl' if number % 3 else ''}"
        )
    return "\n".join(lines).encode(), set(bad)


def test_ten_thousand_rows_with_three_bad_ones_add_exactly_9997(
    client_for, beheerder, anna, eager, django_capture_on_commit_callbacks
):
    content, bad_numbers = ten_thousand_rows()
    RelationFactory(name="Firma 5")  # matched, not created again
    client = client_for(beheerder)
    upload(client, SimpleUploadedFile("10k.csv", content, content_type="text/csv"))
    lead_import = LeadImport.objects.get()
    preview = client.get(reverse("leads:import_detail", args=[lead_import.pk])).text
    named = {int(n) for n in re.findall(r'<tr><td class="num">(\d+)</td>', preview)}
    assert named == bad_numbers
    assert "9997 leads importeren" in preview.replace(".", "")
    start(client, lead_import, django_capture_on_commit_callbacks)
    lead_import.refresh_from_db()
    assert lead_import.status == ImportStatus.DONE, lead_import.error
    assert Traject.objects.count() == lead_import.imported_count == 9_997
    assert Relation.objects.count() == 700 and lead_import.relations_created == 699
    assert Traject.objects.filter(accountmanager_count=1).count() == len(
        [n for n in range(2, 10_002) if n % 3 and n not in bad_numbers]
    )
    assert not Traject.objects.filter(subject__in=["", "Lead"]).exists()
    # How long it takes is measured by `manage.py bench_leads`, not asserted here.


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_import_and_reports_progress(client_for, beheerder):
    from celery.contrib.testing.worker import start_worker

    lines = [HEADER] + [f"Lead {i},Firma {i % 10},,,,," for i in range(2_500)]
    client = client_for(beheerder)
    upload(client, csv_file(lines))
    lead_import = LeadImport.objects.get()
    url = reverse("leads:import_detail", args=[lead_import.pk])
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        client.post(reverse("leads:import_start", args=[lead_import.pk]))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lead_import.refresh_from_db()
            if not lead_import.in_progress:
                break
            status = client.get(url, headers={"HX-Request": "true", "HX-Target": "status"}).text
            if 'hx-trigger="every 1s"' not in status:
                # It may finish between the look at the database and the page: then, and only
                # then, the page stops polling.
                lead_import.refresh_from_db()
                assert not lead_import.in_progress, status
            time.sleep(0.2)
    assert lead_import.status == ImportStatus.DONE, lead_import.error
    assert Traject.objects.count() == 2_500
    from celery.result import AsyncResult

    assert AsyncResult(lead_import.task_id, app=celery_app).state == "SUCCESS"
