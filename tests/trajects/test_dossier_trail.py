"""Issue 12, points 6 and 7: the dossier is the audit trail.

System lines are said in the reader's language from their kind and data (never a stored
sentence), and deleting an appointment, editing or deleting a note and the 30-day purge all
leave their trace.
"""

import datetime
import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape

from crm.models import Appointment
from leads.services import lead_create, lead_distribute
from quotes import services as quote_services
from trajects import services
from trajects.dossier import summary
from trajects.models import DossierEntry, DossierKind, PurgedTraject, Traject

from ..factories import ContactFactory, TrajectFactory, VacancyFactory
from ..quotes.conftest import make_quote
from .conftest import htmx, url

pytestmark = pytest.mark.django_db

migration = importlib.import_module("trajects.migrations.0009_dossier_sentences_to_data")


def reload(traject):
    return Traject.objects.get(pk=traject.pk)


def in_language(client, language: str):
    """The client with the language switch set, as the page's language menu leaves it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def dossier_html(client, traject) -> str:
    response = client.get(url("detail", traject.pk), headers=htmx("dossier"))
    assert response.status_code == 200
    return response.text


class TestReadersLanguage:
    """Point 6: a line reads in the language of whoever reads it, not of whoever caused it."""

    def test_dutch_writer_english_reader(self, client_for, am, other_am, contact):
        with translation.override("nl"):
            lead = lead_create(
                created_by=am, subject="Glazen deuren", relation=contact.relation, contact=contact
            )
        client = in_language(client_for(am), "nl")
        assert (
            client.post(
                url("accountmanager_add", lead.pk), {"accountmanager": other_am.pk}
            ).status_code
            == 302
        )
        assert not DossierEntry.objects.exclude(text="").exists()  # no sentence stored

        english = dossier_html(in_language(client, "en"), lead)
        assert "Lead created" in english and "Lead aangemaakt" not in english
        assert f"{escape(other_am.get_full_name())} added" in english
        assert "toegevoegd" not in english

    def test_english_writer_dutch_reader(self, client_for, am, other_am, contact):
        with translation.override("en"):
            lead = lead_create(
                created_by=am, subject="Glazen deuren", relation=contact.relation, contact=contact
            )
        client = in_language(client_for(am), "en")
        client.post(url("accountmanager_add", lead.pk), {"accountmanager": other_am.pk})

        dutch = dossier_html(in_language(client, "nl"), lead)
        assert "Lead aangemaakt" in dutch and "Lead created" not in dutch
        assert f"{escape(other_am.get_full_name())} toegevoegd" in dutch

    def test_quote_lines_follow_the_reader(self, client_for, am, traject):
        quote = make_quote(traject, am, title="Monteurs")
        with translation.override("nl"):
            quote_services.quote_delete(quote=quote, user=am)
        english = dossier_html(in_language(client_for(am), "en"), traject)
        assert "Quote created (draft): Monteurs" in english
        assert "Draft quote deleted: Monteurs" in english
        assert "Offerte aangemaakt" not in english

    def test_no_writer_stores_a_sentence(self, am, other_am, beheerder, contact):
        """Every system line of the writers in leads, quotes and trajects is data only, and
        says something in both languages."""
        vacancy = VacancyFactory(relation=contact.relation, title="Monteur")
        with translation.override("nl"):
            lead = lead_create(
                created_by=beheerder, subject="Uit vacature", vacancy=vacancy, contact=contact
            )
            lead_distribute(leads=[lead], accountmanagers=[am], by=beheerder)
            services.traject_accountmanager_add(traject=lead, user=am, accountmanager=other_am)
            services.traject_accountmanager_remove(
                traject=lead, user=beheerder, accountmanager=other_am
            )
            first = quote_services.quote_send(quote=make_quote(lead, am), user=am)
            quote_services.quote_reject(quote=first, user=am)
            second = quote_services.quote_revise(quote=first, user=am)
            second = quote_services.quote_send(quote=second, user=am)
            quote_services.quote_accept(quote=second, user=am, set_order=False)
        system = DossierEntry.objects.exclude(kind__in=["note", "appointment", "email"])
        assert system.count() >= 10
        assert list(system.exclude(text="").values_list("kind", "text")) == []
        for language in ("nl", "en"):
            with translation.override(language):
                silent = [e.kind for e in system if not summary(e) and not e.data.get("field")]
            assert silent == [], language
        with translation.override("en"):
            said = {summary(e) for e in system}
        assert "Lead created from vacancy Monteur" in said
        assert f"Assigned to {am.get_full_name()}" in said
        assert f"{other_am.get_full_name()} removed" in said
        assert f"New version {second.number} (draft) of quote {first.number}" in said
        assert f"Quote {second.number} accepted" in said


class TestMigration:
    """Point 6: the existing rows, Dutch and English sentences, become kind + data."""

    ROWS = [
        ("created", "Lead aangemaakt", {}, {}),
        ("created", "Lead created", {}, {}),
        (
            "created",
            "Lead aangemaakt vanuit vacature Monteur (m/v)",
            {"vacancy": 7},
            {"vacancy": 7, "vacancy_title": "Monteur (m/v)"},
        ),
        (
            "created",
            "Lead imported from leads.xlsx (row 12)",
            {"import": 3, "row": 12},
            {"import": 3, "row": 12, "file": "leads.xlsx"},
        ),
        (
            "share",
            "Accountmanagers gewijzigd",
            {"field": "accountmanagers", "old": "–", "new": "Anna"},
            {"field": "accountmanagers", "old": "–", "new": "Anna"},
        ),
        ("share", "Anna de Vries toegevoegd", {"added": 4}, {"added": 4, "name": "Anna de Vries"}),
        ("share", "Bob Bakker removed", {"removed": 5}, {"removed": 5, "name": "Bob Bakker"}),
        (
            "share",
            "Toegewezen aan Anna, Bob en Cor",
            {"added": [1, 2, 3]},
            {"added": [1, 2, 3], "names": ["Anna", "Bob", "Cor"]},
        ),
        ("share", "Assigned to Anna and Bob", {}, {"names": ["Anna", "Bob"]}),
        (
            "quote",
            "Offerte 2026-0001 verzonden: Werving: monteurs",
            {"quote": 9, "number": "2026-0001", "action": "sent"},
            {"quote": 9, "number": "2026-0001", "action": "sent", "title": "Werving: monteurs"},
        ),
        (
            "quote",
            "New version 2026-0001-2 (draft) of quote 2026-0001",
            {"quote": 10, "number": "2026-0001-2", "action": "revised"},
            {
                "quote": 10,
                "number": "2026-0001-2",
                "action": "revised",
                "previous": "2026-0001",
            },
        ),
        ("quote", "Quote 2026-0001 rejected", {}, {"number": "2026-0001", "action": "rejected"}),
        (
            "quote",
            "Concept-offerte verwijderd: Oud",
            {"action": "deleted"},
            {"action": "deleted", "title": "Oud"},
        ),
    ]

    def test_hand_written_rows_become_data(self, traject):
        rows = [
            DossierEntry.objects.create(traject=traject, kind=kind, text=text, data=data)
            for kind, text, data, _expected in self.ROWS
        ]
        note = DossierEntry.objects.create(traject=traject, kind="note", text="Lead aangemaakt")
        odd = DossierEntry.objects.create(traject=traject, kind="created", text="Iets anders")

        migration.sentences_to_data(django_apps, None)

        for row, (_kind, text, _data, expected) in zip(rows, self.ROWS, strict=True):
            row.refresh_from_db()
            assert (row.text, row.data) == ("", expected), text
        note.refresh_from_db()
        odd.refresh_from_db()
        assert note.text == "Lead aangemaakt"  # a user's own words are never touched
        assert odd.text == "Iets anders"  # unknown: kept, and still shown as it was

    def test_migrated_rows_read_in_either_language(self, traject):
        entry = DossierEntry.objects.create(
            traject=traject, kind="share", text="Toegewezen aan Anna en Bob", data={"added": [1]}
        )
        migration.sentences_to_data(django_apps, None)
        entry.refresh_from_db()
        with translation.override("en"):
            assert summary(entry) == "Assigned to Anna and Bob"
        with translation.override("nl"):
            assert summary(entry) == "Toegewezen aan Anna en Bob"


class TestGaps:
    """Point 7: what used to leave no line in the dossier."""

    def test_deleting_an_appointment_is_in_the_dossier(self, client_for, am, traject):
        start = datetime.datetime(2026, 5, 4, 10, tzinfo=datetime.UTC)
        appointment = services.traject_appointment_create(
            traject=traject, user=am, start=start, subject="Kennismaking"
        )
        client = client_for(am)
        response = client.post(url("appointment_delete", traject.pk, appointment.pk))
        assert response.status_code == 302
        entry = DossierEntry.objects.get(kind=DossierKind.APPOINTMENT, data__action="deleted")
        assert entry.author == am
        assert entry.data["appointment"] == appointment.pk
        assert entry.data["subject"] == "Kennismaking"
        assert entry.data["start"] == start.isoformat()
        html = dossier_html(client, traject)
        assert "Afspraak verwijderd" in html and "Kennismaking" in html

    def test_editing_a_note_keeps_the_old_words_in_the_dossier(self, client_for, am, traject):
        note = services.dossier_note_add(traject=traject, user=am, text="Gebeld met Jan.")
        client = client_for(am)
        response = client.post(
            url("note_edit", traject.pk, note.pk), {f"notitie-{note.pk}-text": "Gemaild met Jan."}
        )
        assert response.status_code == 302
        entry = DossierEntry.objects.get(kind=DossierKind.NOTE_EDITED)
        assert entry.author == am
        assert entry.data["note"] == note.pk
        assert (entry.data["old"], entry.data["new"]) == ("Gebeld met Jan.", "Gemaild met Jan.")
        html = dossier_html(client, traject)
        assert "<del>Gebeld met Jan.</del>" in html and "<ins>Gemaild met Jan.</ins>" in html
        # Saving the same words again is no change.
        client.post(
            url("note_edit", traject.pk, note.pk), {f"notitie-{note.pk}-text": "Gemaild met Jan."}
        )
        assert DossierEntry.objects.filter(kind=DossierKind.NOTE_EDITED).count() == 1
        # The line of the change is no note: it is not in the Notities widget, nor editable.
        assert list(traject.dossier_entries.notes()) == [note]

    def test_deleting_a_note_keeps_what_it_said(self, client_for, am, traject):
        note = services.dossier_note_add(traject=traject, user=am, text="<b>Weg</b>")
        client = client_for(am)
        assert client.post(url("note_delete", traject.pk, note.pk)).status_code == 302
        assert not DossierEntry.objects.filter(pk=note.pk).exists()
        entry = DossierEntry.objects.get(kind=DossierKind.NOTE_DELETED)
        assert (entry.author, entry.data["note"], entry.data["old"]) == (am, note.pk, "<b>Weg</b>")
        html = dossier_html(client, traject)
        assert "<del>&lt;b&gt;Weg&lt;/b&gt;</del>" in html


class TestPurge:
    """Point 7: what the purge removed stays findable, and its files leave the storage."""

    def deleted_long_ago(self, traject, user, days=31):
        services.traject_delete(traject=traject, user=user)
        moment = timezone.now() - datetime.timedelta(days=days)
        Traject.objects.filter(pk=traject.pk).update(deleted_at=moment)
        return moment

    def test_the_purge_leaves_a_record_a_beheerder_finds(
        self, client_for, am, beheerder, traject, django_capture_on_commit_callbacks
    ):
        deleted_at = self.deleted_long_ago(traject, am)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.traject_purge() == 1
        assert not Traject.objects.filter(pk=traject.pk).exists()
        record = PurgedTraject.objects.get()
        assert record.traject_id == traject.pk
        assert record.subject == "Glazen deuren"
        assert record.relation_name == traject.relation.name
        assert record.deleted_by == am and record.deleted_by_name == am.get_full_name()
        assert record.deleted_at == deleted_at
        assert record.removed["records"]["trajects.traject"] == 1

        page = client_for(beheerder).get(url("bin"))
        assert page.status_code == 200
        row = page.text.split(f'id="opgeruimd-{traject.pk}"')[1].split("</tr>")[0]
        assert "Glazen deuren" in row and escape(am.get_full_name()) in row
        found = client_for(beheerder).get(url("bin"), {"opgeruimd_q": "glazen"})
        assert f'id="opgeruimd-{traject.pk}"' in found.text
        missed = client_for(beheerder).get(url("bin"), {"opgeruimd_q": "ramen"})
        assert f'id="opgeruimd-{traject.pk}"' not in missed.text
        assert client_for(am).get(url("bin")).status_code == 404

    def test_the_purge_removes_the_quote_pdfs(
        self, am, traject, django_capture_on_commit_callbacks
    ):
        quote = quote_services.quote_send(quote=make_quote(traject, am), user=am)
        pdf = Path(settings.MEDIA_ROOT) / quote.pdf.name
        assert pdf.is_file()
        kept = TrajectFactory(accountmanagers=[am], relation=traject.relation)
        other = quote_services.quote_send(quote=make_quote(kept, am), user=am)
        self.deleted_long_ago(traject, am)

        with django_capture_on_commit_callbacks(execute=True):
            services.traject_purge()

        assert not pdf.exists()
        assert (Path(settings.MEDIA_ROOT) / other.pdf.name).is_file()
        record = PurgedTraject.objects.get()
        assert record.removed["files"] == [quote.pdf.name]
        assert record.removed["records"]["quotes.quote"] == 1

    def test_a_purge_that_rolls_back_keeps_the_files(self, am, traject):
        quote = quote_services.quote_send(quote=make_quote(traject, am), user=am)
        self.deleted_long_ago(traject, am)
        services.traject_purge()  # the test's transaction never commits
        assert (Path(settings.MEDIA_ROOT) / quote.pdf.name).is_file()


class TestFirstVisit:
    """Rule 8 when an appointment goes, and the form's word when the contact is the reason."""

    def plan(self, client, traject, **fields):
        data = {"date": "2026-05-04", "time": "10:00", "kind": "visit"} | fields
        return client.post(url("appointment_add", traject.pk), data)

    def test_deleting_the_one_that_set_it_recomputes(self, client_for, am, traject):
        client = client_for(am)
        self.plan(client, traject, date="2026-05-04")
        self.plan(client, traject, date="2026-04-01", kind="call")
        assert reload(traject).first_visit_on == datetime.date(2026, 5, 4)
        first, second = Appointment.objects.order_by("created_at", "pk")

        client.post(url("appointment_delete", traject.pk, second.pk))
        assert reload(traject).first_visit_on == datetime.date(2026, 5, 4)  # not the one

        self.plan(client, traject, date="2026-06-01")
        third = Appointment.objects.latest("pk")
        response = client.post(
            url("appointment_delete", traject.pk, first.pk), headers=htmx("afspraken")
        )
        assert "informatie-changed" in response["HX-Trigger"]  # the date shown there moved
        traject = reload(traject)
        assert traject.first_visit_on == datetime.date(2026, 6, 1)  # the next one made
        assert traject.visit_count == 1
        change = DossierEntry.objects.get(data__field="first_visit_on")
        assert (change.author, change.data["old"], change.data["new"]) == (
            am,
            "2026-05-04",
            "2026-06-01",
        )

        client.post(url("appointment_delete", traject.pk, third.pk))
        assert reload(traject).first_visit_on is None

    def test_others_do_not_count_in_the_recompute(self, client_for, am, beheerder, traject):
        client = client_for(am)
        self.plan(client, traject, date="2026-05-04")
        colleague = ContactFactory(relation=traject.relation)
        self.plan(client, traject, date="2026-05-10", contact=colleague.pk)
        self.plan(client_for(beheerder), traject, date="2026-05-11")  # not assigned
        first = Appointment.objects.get(start__date=datetime.date(2026, 5, 4))
        client.post(url("appointment_delete", traject.pk, first.pk))
        assert reload(traject).first_visit_on is None

    def test_the_form_says_why_another_contact_set_no_date(self, client_for, am, traject):
        colleague = ContactFactory(relation=traject.relation)
        response = client_for(am).post(
            url("appointment_add", traject.pk),
            {"date": "2026-05-04", "time": "10:00", "kind": "visit", "contact": colleague.pk},
            headers=htmx("afspraken"),
        )
        assert response.status_code == 200
        assert Appointment.objects.filter(contact=colleague).exists()
        assert reload(traject).first_visit_on is None
        beside = response.text.split('name="contact"')[1].split("</div>")[0]
        assert "zet de datum 1e bezoek niet" in beside
        assert escape(str(traject.contact)) in beside
        # The contact of the traject sets it, and then the form has nothing to say.
        response = client_for(am).post(
            url("appointment_add", traject.pk),
            {"date": "2026-05-06", "time": "10:00", "kind": "visit"},
            headers=htmx("afspraken"),
        )
        assert "zet de datum 1e bezoek niet" not in response.text
        assert reload(traject).first_visit_on == datetime.date(2026, 5, 6)

    def test_the_form_also_says_so_without_htmx(self, client_for, am, traject):
        colleague = ContactFactory(relation=traject.relation)
        response = self.plan(client_for(am), traject, contact=colleague.pk)
        assert response.status_code == 200
        assert "zet de datum 1e bezoek niet" in response.text.split('name="contact"')[1]
