"""Deterministic demo data: users with known logins, relations, leads, trajects and visits.

Rows are generated in chunks and written with COPY on PostgreSQL (bulk_create elsewhere), so
1,000,000 trajects with their links and appointments load in a few minutes on two cores.
"""

import json
import random
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.models import Appointment, Contact, Relation
from followups.models import Task
from quotes.demo import seed_quotes
from salesmodule.text import normalise
from settings_app.models import (
    BusinessType,
    ClientSettings,
    Outcome,
    Source,
    Stage,
    TrajectType,
    WinLossReason,
)
from settings_app.roles import person_name
from settings_app.services import keyuser_group_ensure, user_settings_set
from trajects.models import DossierEntry, DossierKind, Traject, TrajectAccountmanager
from trajects.services import dossier_log, dossier_note_add
from vacancies.services import vacancy_create

DEMO_PASSWORD = "demo"
SEED = 20261123
CHUNK = 25_000

FIRST_NAMES = [
    "Anne",
    "Bram",
    "Claire",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Ivo",
    "Julia",
    "Koen",
    "Lotte",
    "Milan",
    "Noor",
    "Olaf",
    "Pien",
    "Ruben",
    "Sanne",
    "Thijs",
    "Vera",
    "Wouter",
    "Yara",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "van den Berg",
    "Willems",
    "Schouten",
]
COMPANY_HEADS = [
    "Noord",
    "Zuid",
    "Delta",
    "Polder",
    "Hanze",
    "Rijn",
    "Maas",
    "Kempen",
    "Veluwe",
    "Twente",
    "Groene",
    "Blauwe",
    "Oranje",
    "Eiland",
    "Haven",
    "Duin",
    "Brug",
    "Molen",
    "Zon",
    "Kust",
]
COMPANY_TAILS = [
    "Bouw",
    "Logistiek",
    "Zorg",
    "Techniek",
    "Installatie",
    "Transport",
    "Metaal",
    "Food",
    "Retail",
    "Energie",
    "Advies",
    "Groep",
    "Industrie",
    "Services",
    "Facilitair",
    "Automotive",
]
FORMS = ["B.V.", "N.V.", "& Zn.", "Holding", "Groep B.V.", ""]
CITIES = [
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Den Haag",
    "Eindhoven",
    "Groningen",
    "Zwolle",
    "Tilburg",
    "Arnhem",
    "Nijmegen",
    "Breda",
    "Leeuwarden",
    "Maastricht",
    "Enschede",
    "Apeldoorn",
    "Delft",
]
SUBJECTS = [
    "{n} uitzendkrachten productie {c}",
    "Werving {n} monteurs voor {c}",
    "Detachering planners {c}",
    "Raamcontract flexpool {c}",
    "Vacature-advertenties Q{q} {c}",
    "Werving en selectie teamleider {c}",
    "Payrolling {n} medewerkers {c}",
    "Seizoenskrachten {c}",
    "Inhuur ZZP'ers projectbouw {c}",
    "Recruitment campagne {c}",
]
GLASS_DOORS = "Nieuwe glazen deuren in gehele pand {c}"
VALUES = [500, 750, 1000, 1500, 2500, 4000, 5000, 7500, 10000, 15000, 20000, 35000, 60000]


@dataclass
class Plan:
    trajects: int
    accountmanagers: int
    relations: int
    start: date
    end: date

    @classmethod
    def for_size(cls, trajects: int, today: date) -> "Plan":
        """The demo shape: 5 accountmanagers and 24 months; at scale PERFORMANCE.md's shape."""
        if trajects <= 10_000:
            return cls(trajects, 5, 300, _add_months(today, -18), _add_months(today, 6))
        return cls(
            trajects,
            100,
            max(300, trajects // 50),
            _add_months(today, -114),
            _add_months(today, 6),
        )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


class Progress:
    """A small progress bar on stderr (no dependency for one line of output)."""

    def __init__(self, label: str, total: int, out=None):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.out = out or sys.stderr

    def advance(self, n: int) -> None:
        self.done += n
        share = self.done / self.total
        bar = "#" * int(share * 30)
        self.out.write(
            f"\r{self.label:<12} [{bar:<30}] {share:6.1%} {self.done:>9,}/{self.total:,}"
        )
        if self.done >= self.total:
            self.out.write("\n")
        self.out.flush()


def _write_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert rows with explicit ids: COPY on PostgreSQL, bulk_create on other databases."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(value) if isinstance(value, dict) else value for value in row]
                )
        return
    attnames = {field.column: field.attname for field in model._meta.concrete_fields}
    names = [attnames[column] for column in columns]
    # bulk_create stamps auto_now(_add) fields with the present; the rows carry their own times.
    stamped = [
        field
        for field in model._meta.concrete_fields
        if field.column in columns
        and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    ]
    flags = [(field, field.auto_now, field.auto_now_add) for field in stamped]
    for field in stamped:
        field.auto_now = field.auto_now_add = False
    try:
        model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=2000
        )
    finally:
        for field, auto_now, auto_now_add in flags:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _reset_sequences(*models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            sql = (
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 -- our models' tables
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
            cursor.execute(sql)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def create_users(plan: Plan, out: Callable[[str], None]) -> dict:
    """The demo logins: beheerder, keyuser, am1 ... amN, all with the password 'demo'."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: 100 hashes would cost half a minute
    rng = random.Random(SEED)

    def user(username: str, first: str, last: str, **extra):
        obj, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "password": password,
                "email": f"{username}@demo.example",
                **extra,
            },
        )
        return obj

    beheerder = user("beheerder", "Bea", "Beheerder")
    user_settings_set(user=beheerder, beheerder=True, sales_select=True)
    keyuser = user("keyuser", "Kees", "Key-user", is_staff=True)
    keyuser.groups.add(keyuser_group_ensure())
    user_settings_set(user=keyuser)
    accountmanagers = []
    for number in range(1, plan.accountmanagers + 1):
        am = user(f"am{number}", rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        user_settings_set(user=am, accountmanager=True, sales_select=number % 2 == 1)
        accountmanagers.append(am)
    out(f"Users: beheerder, keyuser, am1 … am{plan.accountmanagers} (password '{DEMO_PASSWORD}')")
    return {"beheerder": beheerder, "keyuser": keyuser, "accountmanagers": accountmanagers}


def create_relations(plan: Plan, rng: random.Random) -> list[tuple[int, list[int]]]:
    """Relations with 1–3 contacts each; returns (relation id, contact ids) pairs."""
    first_relation, first_contact = _next_id(Relation), _next_id(Contact)
    now = timezone.now()
    relation_rows, contact_rows, result = [], [], []
    contact_id = first_contact
    for index in range(plan.relations):
        relation_id = first_relation + index
        name = " ".join(
            part
            for part in (
                rng.choice(COMPANY_HEADS) + rng.choice(COMPANY_TAILS).lower(),
                rng.choice(FORMS),
                f"{index + 1}" if index >= len(COMPANY_HEADS) * len(COMPANY_TAILS) else "",
            )
            if part
        )
        relation_rows.append(
            (
                relation_id,
                name,
                normalise(name),
                f"Industrieweg {rng.randint(1, 200)}",
                f"{rng.randint(1000, 9999)} AB",
                rng.choice(CITIES),
                f"0{rng.randint(10, 79)}-{rng.randint(1000000, 9999999)}",
                "",
                now,
            )
        )
        contacts = []
        for _ in range(rng.randint(1, 3)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first.lower()}.{last.replace(' ', '').lower()}@example.com"
            contact_rows.append((contact_id, relation_id, first, last, email, "", ""))
            contacts.append(contact_id)
            contact_id += 1
        result.append((relation_id, contacts))
    _write_rows(
        Relation,
        [
            "id",
            "name",
            "name_normalised",
            "address",
            "postcode",
            "city",
            "phone",
            "website",
            "created_at",
        ],
        relation_rows,
    )
    _write_rows(
        Contact,
        ["id", "relation_id", "first_name", "last_name", "email", "phone", "function"],
        contact_rows,
    )
    return result


# Closing keeps when, the last open kans and the stage it closed from (DESIGN rule 6), and the
# board's days in stage count from stage_changed_at. The generator always draws these values;
# they are written for the columns the model has.
CLOSING_COLUMNS = ["closed_at", "open_probability", "closed_from_stage_id", "stage_changed_at"]


def closing_columns() -> list[str]:
    """The closing columns this database's Traject has, in CLOSING_COLUMNS order."""
    present = {field.column for field in Traject._meta.concrete_fields}
    return [column for column in CLOSING_COLUMNS if column in present]


def stages_by_business_type() -> tuple[dict[int, list[int]], dict[int, dict[str, int]]]:
    """Per business type: its open stages in order, and its stage for each outcome."""
    open_stages: dict[int, list[int]] = {}
    outcome_stage: dict[int, dict[str, int]] = {}
    for business_type in BusinessType.objects.order_by("order", "pk"):
        open_stages[business_type.pk], outcome_stage[business_type.pk] = [], {}
        for stage in business_type.stages.order_by("order", "pk"):
            if stage.outcome_on_entry:
                outcome_stage[business_type.pk].setdefault(stage.outcome_on_entry, stage.pk)
            else:
                open_stages[business_type.pk].append(stage.pk)
    return open_stages, outcome_stage


NEW_BUSINESS_STAGE = "Kennismaking"
# The demo's stage configuration: the defaults (both business types) in a process order, with a
# first stage for new business only and two for existing business only, so the two boards have
# partly different columns. (name, business type codes or None for both), in order.
DEMO_STAGES = [
    (NEW_BUSINESS_STAGE, ("NB",)),
    ("Introductie", None),
    ("Behoefteanalyse", None),
    ("Evaluatie huidige inzet", ("EB",)),
    ("Voorstel", None),
    ("Onderhandeling", None),
    ("Verlenging", ("EB",)),
    ("Gewonnen", None),
    ("Verloren", None),
]
# How open trajects spread over the open stages of their business type: the funnel narrows.
STAGE_WEIGHTS = [30, 24, 18, 14, 10, 8, 6]
# Open trajects without a stage (the board's "Geen stage" column), and the share of trajects
# whose stage changes are written to the dossier (the others have no stage history).
NO_STAGE_SHARE, STAGE_HISTORY_SHARE = 0.03, 0.3


def demo_lists_ensure() -> None:
    """Stages per business type: the defaults for both, Kennismaking for new business only
    (new business starts with getting acquainted), an evaluation of the current placement and
    a renewal for existing business only; all in one process order."""
    business_types = {bt.code: bt for bt in BusinessType.objects.filter(code__in=["NB", "EB"])}
    if len(business_types) < 2:
        return
    for order, (name, codes) in enumerate(DEMO_STAGES):
        stage, _created = Stage.objects.get_or_create(name=name, defaults={"order": order})
        if stage.order != order:
            Stage.objects.filter(pk=stage.pk).update(order=order)
        if codes is not None:
            stage.business_types.set([business_types[code] for code in codes])
        elif not stage.business_types.exists():
            stage.business_types.set(business_types.values())


VACANCIES = [
    "Monteur glazen deuren",
    "Productiemedewerker tweeploegendienst",
    "Planner logistiek",
    "Teamleider magazijn",
    "Servicemonteur installatietechniek",
    "Heftruckchauffeur",
    "Accountmanager binnendienst",
]


def create_vacancies(beheerder, out: Callable[[str], None]) -> list[int]:
    """A few vacancies: most with a lead hung on them (manual 3.4.2), two without one yet, and
    one without a relation (the lead form then asks for one). Returns the leads hung."""
    with_lead = len(VACANCIES) - 2
    relations_seen, leads = set(), []
    for lead_id, relation_id in (
        Traject.objects.leads().order_by("pk").values_list("pk", "relation_id")[:500]
    ):
        if relation_id not in relations_seen:
            relations_seen.add(relation_id)
            leads.append((lead_id, relation_id))
        if len(leads) == with_lead:
            break
    others = (
        Relation.objects.exclude(pk__in=relations_seen).order_by("pk").values_list("pk", flat=True)
    )
    relation_ids = [relation_id for _lead, relation_id in leads] + list(others[:2])
    relations = Relation.objects.in_bulk(relation_ids)
    hung = []
    for index, (title, relation_id) in enumerate(zip(VACANCIES, relation_ids, strict=False)):
        vacancy = vacancy_create(
            created_by=beheerder,
            title=title,
            relation=relations[relation_id],
            description=f"{title}, 32–40 uur per week.",
        )
        if index < len(leads):
            lead_id = leads[index][0]
            Traject.objects.filter(pk=lead_id).update(vacancy=vacancy)
            hung.append(lead_id)
    vacancy_create(created_by=beheerder, title="Zomerkrachten (relatie nog onbekend)")
    out(f"Vacancies: {len(relation_ids) + 1}, {len(hung)} of them with a lead")
    return hung


TRAJECT_COLUMNS = [
    "id",
    "subject",
    "relation_id",
    "contact_id",
    "vacancy_id",
    "business_type_id",
    "type_id",
    "stage_id",
    "source_id",
    "win_loss_reason_id",
    "probability",
    "value",
    "expected_close",
    "lead_date",
    "converted_at",
    "first_visit_on",
    "lead_by_id",
    "created_by_id",
    "accountmanager_count",
    "visit_count",
    "deleted_at",
    "deleted_by_id",
    "version",
    "created_at",
    "updated_at",
]
LINK_COLUMNS = [
    "id",
    "traject_id",
    "user_id",
    "expected_close",
    "added_at",
    "added_by_id",
    "position",
]
APPOINTMENT_COLUMNS = [
    "id",
    "owner_id",
    "contact_id",
    "traject_id",
    "start",
    "kind",
    "subject",
    "created_at",
]
DOSSIER_COLUMNS = [
    "id",
    "traject_id",
    "kind",
    "author_id",
    "text",
    "data",
    "created_at",
    "updated_at",
]


class TrajectGenerator:
    """Makes the rows of one traject at a time, from one seeded random generator."""

    def __init__(self, plan: Plan, users: dict, relations, today: date, rng: random.Random):
        self.plan, self.today, self.rng = plan, today, rng
        self.relations = relations
        self.am_ids = [am.pk for am in users["accountmanagers"]]
        self.beheerder_id = users["beheerder"].pk
        self.types = {t.outcome: t.pk for t in TrajectType.objects.order_by("order")}
        self.nb, self.eb = list(
            BusinessType.objects.order_by("order").values_list("pk", flat=True)
        )[:2]
        # Rule 6: a traject only takes a stage of its own business type.
        self.open_stages, self.stage_for = stages_by_business_type()
        self.stage_names = _stage_names()
        self.closing_columns = closing_columns()
        self.now = timezone.now()
        self.sources = list(Source.objects.values_list("pk", flat=True))
        self.reasons = {
            outcome: list(
                WinLossReason.objects.filter(outcome=outcome).values_list("pk", flat=True)
            )
            for outcome in ("won", "lost")
        }
        self.default_probability = ClientSettings.load().default_probability
        self.span = (plan.end - plan.start).days
        self.tz = timezone.get_current_timezone()

    def _moment(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, self.rng.choice((0, 15, 30, 45))), self.tz)

    def traject(self, traject_id: int, link_id: int, appointment_id: int, entry_id: int):
        """Rows for one traject, its accountmanager links, appointments and stage history."""
        rng, today = self.rng, self.today
        relation_id, contacts = rng.choice(self.relations)
        contact_id = rng.choice(contacts)
        close = self.plan.start + timedelta(days=rng.randrange(self.span))
        lead_date = min(close - timedelta(days=rng.randint(0, 120)), today)
        if close > today:
            outcome = Outcome.OPEN
        else:
            roll = rng.random()
            outcome = Outcome.OPEN if roll < 0.04 else Outcome.WON if roll < 0.42 else Outcome.LOST
        # Recent, still open records are often leads nobody picked up yet; some sit in the pool.
        is_lead = outcome == Outcome.OPEN and (today - lead_date).days < 60 and rng.random() < 0.35
        if is_lead and rng.random() < 0.25:
            ams = []
        else:
            count = 1 if rng.random() < 0.75 else rng.choice((2, 2, 3))
            ams = rng.sample(self.am_ids, min(count, len(self.am_ids)))
        business_type = self.nb if rng.random() < 0.4 else self.eb
        open_stages = self.open_stages[business_type]
        # Closed ones remember the kans and stage they had while open (rule 6).
        open_probability = rng.choice(range(10, 100, 10))
        open_stage = (
            rng.choices(open_stages, weights=STAGE_WEIGHTS[: len(open_stages)])[0]
            if open_stages
            else None
        )
        if outcome == Outcome.OPEN and rng.random() < NO_STAGE_SHARE:
            open_stage = None  # the board's "Geen stage" column
        if outcome == Outcome.OPEN:
            probability = self.default_probability if is_lead else open_probability
            stage = open_stage
            reason = None
        else:
            probability = 100 if outcome == Outcome.WON else 0
            stage = self.stage_for[business_type].get(outcome)
            reason = rng.choice(self.reasons[outcome])
        value = None if rng.random() < 0.06 else Decimal(rng.choice(VALUES))
        template = GLASS_DOORS if rng.random() < 0.01 else rng.choice(SUBJECTS)
        subject = template.format(n=rng.randint(2, 40), q=rng.randint(1, 4), c=f"#{traject_id}")
        created = min(self._moment(lead_date, 9), self.now)
        converted = None if is_lead else min(created + timedelta(days=rng.randint(0, 10)), self.now)
        closed = outcome != Outcome.OPEN
        closed_at = min(self._moment(close, 16), self.now) if closed else None
        if closed_at:  # closing comes last
            created, converted = min(created, closed_at), min(converted, closed_at)
        appointments, first_visit = [], None
        if ams and not is_lead:
            for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
                day = lead_date + timedelta(days=rng.randint(1, 90))
                kind = "visit" if rng.random() < 0.6 else rng.choice(("call", "other"))
                start = self._moment(day, rng.randint(8, 17))
                appointments.append(
                    (
                        appointment_id + len(appointments),
                        rng.choice(ams),
                        contact_id,
                        traject_id,
                        start,
                        kind,
                        "",
                        converted,
                    )
                )
                if kind == "visit" and (first_visit is None or day < first_visit):
                    first_visit = day
        visits = sum(1 for row in appointments if row[5] == "visit")
        lead_by = rng.choice(ams) if ams and rng.random() < 0.6 else self.beheerder_id
        traject_row = (
            traject_id,
            subject,
            relation_id,
            contact_id,
            None,
            business_type,
            self.types[outcome],
            stage,
            rng.choice(self.sources),
            reason,
            probability,
            value,
            close,
            lead_date,
            converted,
            first_visit,
            lead_by,
            lead_by,
            len(ams),
            visits,
            None,
            None,
            1,
            created,
            converted or created,
        )
        history = []
        if converted and open_stage and rng.random() < STAGE_HISTORY_SHARE:
            history = self.stage_history(
                entry_id, traject_id, ams[0], open_stages, open_stage, stage, converted, closed_at
            )
        # Days in stage: since the last stage change in the dossier, else since the conversion
        # (or the lead's creation); a closed one entered its outcome stage when it closed.
        stage_changed = history[-1][-1] if history else closed_at or converted or created
        if self.closing_columns:
            closing = {
                "closed_at": closed_at,
                "open_probability": open_probability if closed else None,
                "closed_from_stage_id": open_stage if closed else None,
                "stage_changed_at": stage_changed,
            }
            traject_row += tuple(closing[column] for column in self.closing_columns)
        links = [
            (link_id + index, traject_id, am, close, created, lead_by, index)
            for index, am in enumerate(ams)
        ]
        return traject_row, links, appointments, history

    def stage_history(self, entry_id, traject_id, author, walk, last_open, stage, start, closed):
        """Dossier rows of the stage changes: from the first open stage of the business type up
        to the last open one, then into the outcome stage when closed, at rising moments
        between the conversion and the closing (or now), as the traject_update service logs
        them."""
        path = walk[: walk.index(last_open) + 1]
        steps = list(zip(path, path[1:], strict=False))
        if closed and stage:
            steps.append((last_open, stage))
        end = closed or self.now
        if not steps or end <= start:
            return []
        # In UTC: between two times of one zone Python subtracts and adds wall-clock time (DST).
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        span = (end - start).total_seconds()
        shares = sorted(self.rng.random() for _ in steps)
        if closed and stage:
            shares[-1] = 1.0  # entering the outcome stage is the closing itself
        rows = []
        for index, ((old, new), share) in enumerate(zip(steps, shares, strict=True)):
            moment = start + timedelta(seconds=int(span * share))
            data = {"field": "stage", "old": self.stage_names[old], "new": self.stage_names[new]}
            rows.append(
                (entry_id + index, traject_id, DossierKind.STAGE_CHANGE, author, "", data)
                + (moment, moment)
            )
        return rows


def create_trajects(plan, users, relations, today, rng, progress: Progress) -> None:
    """Trajects, their accountmanager links, appointments and stage history, chunk by chunk."""
    generator = TrajectGenerator(plan, users, relations, today, rng)
    columns = TRAJECT_COLUMNS + generator.closing_columns
    traject_id = _next_id(Traject)
    link_id = _next_id(TrajectAccountmanager)
    appointment_id = _next_id(Appointment)
    entry_id = _next_id(DossierEntry)
    remaining = plan.trajects
    while remaining:
        size = min(CHUNK, remaining)
        trajects, links, appointments, entries = [], [], [], []
        for _ in range(size):
            row, new_links, new_appointments, new_entries = generator.traject(
                traject_id, link_id, appointment_id, entry_id
            )
            trajects.append(row)
            links += new_links
            appointments += new_appointments
            entries += new_entries
            traject_id += 1
            link_id += len(new_links)
            appointment_id += len(new_appointments)
            entry_id += len(new_entries)
        with transaction.atomic():
            _write_rows(Traject, columns, trajects)
            _write_rows(TrajectAccountmanager, LINK_COLUMNS, links)
            _write_rows(Appointment, APPOINTMENT_COLUMNS, appointments)
            _write_rows(DossierEntry, DOSSIER_COLUMNS, entries)
        remaining -= size
        progress.advance(size)


NOTES = [
    "Gebeld met {contact}: wil eerst intern afstemmen, volgende week terugbellen.",
    "{contact} vraagt een voorstel voor {n} kandidaten met startdatum binnen een maand.",
    "Budget is rond; beslissing ligt bij de directie. Offerte nagestuurd.",
    "Concurrent zit er ook aan tafel. Tarief scherp houden, kwaliteit benadrukken.",
    "Rondleiding gehad op de werkvloer: ploegendienst, veiligheidsschoenen verplicht.",
    "{contact} is tevreden over de eerste kandidaten; gesprek ingepland.",
    "Geen gehoor, voicemail ingesproken.",
]
HISTORY_THIS_MONTH, HISTORY_SPREAD = 40, 80


def _history_trajects(today: date) -> list[Traject]:
    """The trajects that get notes and history: some of this month's, a few spread over all.

    A fixed number, so the 1,000,000-traject set takes no longer than the demo.
    """
    converted = Traject.objects.trajects().filter(accountmanager_count__gt=0)
    month = today.replace(day=1)
    this_month = list(
        converted.filter(expected_close__gte=month, expected_close__lt=_add_months(month, 1))
        .order_by("pk")
        .values_list("pk", flat=True)[:HISTORY_THIS_MONTH]
    )
    bounds = converted.aggregate(first=Min("pk"), last=Max("pk"))
    spread = []
    if bounds["first"] is not None:
        step = max(1, (bounds["last"] - bounds["first"]) // HISTORY_SPREAD)
        spread = list(
            converted.filter(pk__in=range(bounds["first"], bounds["last"] + 1, step))
            .exclude(pk__in=this_month)
            .values_list("pk", flat=True)[:HISTORY_SPREAD]
        )
    return list(
        Traject.objects.filter(pk__in=this_month + spread)
        .select_related("type", "stage", "relation", "contact", "vacancy")
        .prefetch_related("accountmanager_links__user", "appointments")
        .order_by("pk")
    )


def _stage_names() -> dict[int, str]:
    return dict(Stage.objects.values_list("pk", "name"))


@transaction.atomic  # one commit: the services' own transactions become savepoints
def create_history(*, today: date, out: Callable[[str], None]) -> int:
    """Notes and dossier history on some seeded trajects, written through the services.

    The history agrees with the traject as generated: the conversion at converted_at, the
    stages walked up to the current one, a close date pushed to the current one, closing
    (type, stage and kans) for won and lost ones, its appointments and its notes. The services
    stamp entries with the present, so the moments are set afterwards in one update.
    """
    rng = random.Random(SEED + 2)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    open_stages, _outcome_stages = stages_by_business_type()
    names = _stage_names()
    default_type = TrajectType.objects.filter(is_default=True).first()
    default_probability = ClientSettings.load().default_probability
    stamped: list[DossierEntry] = []
    trajects = _history_trajects(today)

    def at(moment: datetime, entry: DossierEntry) -> None:
        entry.created_at = entry.updated_at = moment
        stamped.append(entry)

    def change(traject, author, moment, field, old, new, kind=DossierKind.FIELD_CHANGE):
        entry = dossier_log(
            traject=traject, kind=kind, author=author, field=field, old=str(old), new=str(new)
        )
        at(moment, entry)

    # Trajects whose stage changes the generator already wrote keep those; the others get theirs.
    walked = set(
        DossierEntry.objects.filter(
            traject__in=trajects, kind=DossierKind.STAGE_CHANGE
        ).values_list("traject_id", flat=True)
    )
    for traject in trajects:
        links = sorted(traject.accountmanager_links.all(), key=lambda link: link.pk)
        author = links[0].user
        converted = traject.converted_at
        closed = traject.type.outcome != Outcome.OPEN
        close_moment = datetime.combine(traject.expected_close, time(16), tz)
        end = (getattr(traject, "closed_at", None) or min(close_moment, now)) if closed else now
        end = max(end, converted)
        span = (end - converted).total_seconds()

        def moment(share: float, start=converted, end=end, span=span) -> datetime:
            """A moment that share of the way, in office hours (within start … end)."""
            day = timezone.localtime(start + timedelta(seconds=span * share), tz).date()
            return max(start, min(datetime.combine(day, time(9 + int(share * 8)), tz), end))

        at(
            traject.created_at,
            dossier_log(
                traject=traject,
                kind=DossierKind.CREATED,
                author=author,
                **({"vacancy_title": traject.vacancy.title} if traject.vacancy else {}),
            ),
        )
        for link in links[1:]:
            entry = dossier_log(
                traject=traject,
                kind=DossierKind.SHARE,
                author=author,
                added=link.user_id,
                name=person_name(link.user),
            )
            at(link.added_at, entry)
        at(converted, dossier_log(traject=traject, kind=DossierKind.CONVERSION, author=author))
        open_probability = getattr(traject, "open_probability", None) or rng.choice(
            range(10, 100, 10)
        )
        first_kans = traject.probability if not closed else open_probability
        if first_kans != default_probability:
            change(traject, author, converted, "probability", default_probability, first_kans)

        # The stages walked: from the first of its business type up to the current (open) one.
        walk = open_stages.get(traject.business_type_id, [])
        last_open = traject.stage_id if not closed else None
        if closed:
            last_open = getattr(traject, "closed_from_stage_id", None) or (
                rng.choice(walk) if walk else None
            )
        if last_open in walk and traject.pk not in walked:
            path = walk[: walk.index(last_open) + 1]
            for step, (old, new) in enumerate(zip(path, path[1:], strict=False), start=1):
                share = step / (len(path) + 1)
                change(
                    traject,
                    author,
                    moment(share),
                    "stage",
                    names[old],
                    names[new],
                    kind=DossierKind.STAGE_CHANGE,
                )
        if rng.random() < 0.5:
            pushed_from = _add_months(traject.expected_close, -rng.choice((1, 2))).replace(
                day=min(traject.expected_close.day, 28)
            )
            change(
                traject,
                author,
                moment(rng.uniform(0.3, 0.7)),
                "expected_close",
                pushed_from.isoformat(),
                traject.expected_close.isoformat(),
            )
        for appointment in traject.appointments.all():
            entry = dossier_log(
                traject=traject,
                kind=DossierKind.APPOINTMENT,
                author=next(
                    (link.user for link in links if link.user_id == appointment.owner_id), author
                ),
                text=appointment.subject,
                appointment=appointment.pk,
                start=appointment.start.isoformat(),
                appointment_kind=appointment.kind,
            )
            at(max(converted, min(appointment.start - timedelta(days=3), end)), entry)
        for number in range(rng.randint(1, 3)):
            note = dossier_note_add(
                traject=traject,
                user=author,
                text=rng.choice(NOTES).format(
                    contact=traject.contact or traject.relation, n=rng.randint(2, 12)
                ),
            )
            at(moment((number + 1) / 4), note)
        if closed:
            if last_open is not None and traject.stage_id and traject.pk not in walked:
                change(
                    traject,
                    author,
                    end,
                    "stage",
                    names[last_open],
                    names[traject.stage_id],
                    kind=DossierKind.STAGE_CHANGE,
                )
            change(
                traject,
                author,
                end,
                "type",
                default_type,
                traject.type,
                kind=DossierKind.TYPE_CHANGE,
            )
            change(traject, author, end, "probability", open_probability, traject.probability)
    DossierEntry.objects.bulk_update(stamped, ["created_at", "updated_at"], batch_size=500)
    if "stage_changed_at" in closing_columns():
        # Days in stage count from the last stage change these dossiers now hold.
        last_change = (
            DossierEntry.objects.filter(traject=OuterRef("pk"), kind=DossierKind.STAGE_CHANGE)
            .order_by("-created_at", "-pk")
            .values("created_at")[:1]
        )
        Traject.objects.filter(pk__in=[traject.pk for traject in trajects]).update(
            stage_changed_at=Coalesce(Subquery(last_change), "stage_changed_at")
        )
    out(f"Dossiers: notes and history on {len(trajects)} trajects")
    return len(trajects)


TASK_TITLES = [
    "Offerte nabellen",
    "Terugbellen over de startdatum",
    "Kandidaten voorstellen",
    "Evaluatiegesprek plannen",
    "Contract opsturen",
    "Tarieven bevestigen per e-mail",
    "Bezoek voorbereiden",
    "Beslissing directie navragen",
]
TASK_COLUMNS = [
    "id", "traject_id", "title", "due_on", "due_time", "assignee_id", "created_by_id",
    "created_at", "done_at", "done_by_id",
]  # fmt: skip


def create_tasks(*, today: date, out: Callable[[str], None]) -> int:
    """About one follow-up task per open traject with an accountmanager (issue 15), for its
    first accountmanager: a quarter overdue, a tenth due today, the rest this week or later,
    one in seven done, one in ten without any (Mijn taken's "Zonder vervolgactie"). Written with
    COPY, from a generator of its own so the rest of the demo stays as it was."""
    rng = random.Random(SEED + 15)
    if connection.vendor == "postgresql":
        # Right after COPY the planner has no statistics and takes the open trajects for two
        # rows: without these its nested loop over 200,000 trajects ran for minutes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE trajects_traject, trajects_trajectaccountmanager")
    now = timezone.now()
    tz = timezone.get_current_timezone()
    first_links = (
        TrajectAccountmanager.objects.filter(
            position=0, traject__closed_at__isnull=True, traject__deleted_at__isnull=True
        )
        .order_by("traject_id")
        .values_list("traject_id", "user_id")
    )
    task_id, rows, written = _next_id(Task), [], 0
    for traject_id, user_id in first_links.iterator(chunk_size=CHUNK):
        roll = rng.random()
        if roll < 0.10:
            continue
        done = roll < 0.24
        if done:
            due = today - timedelta(days=rng.randint(0, 30))
        else:
            when = rng.random()
            due = today + timedelta(
                days=rng.randint(-30, -1) if when < 0.25
                else 0 if when < 0.35
                else rng.randint(1, 6) if when < 0.5
                else rng.randint(7, 90)
            )  # fmt: skip
        due_time = time(rng.choice((9, 10, 11, 14, 15, 16))) if rng.random() < 0.2 else None
        created = min(datetime.combine(due - timedelta(days=rng.randint(1, 21)), time(9), tz), now)
        done_at = min(datetime.combine(due, time(16), tz), now) if done else None
        rows.append(
            (task_id, traject_id, rng.choice(TASK_TITLES), due, due_time, user_id, user_id,
             created, done_at, user_id if done else None)
        )  # fmt: skip
        task_id += 1
        if len(rows) >= CHUNK:
            with transaction.atomic():
                _write_rows(Task, TASK_COLUMNS, rows)
            written, rows = written + len(rows), []
    with transaction.atomic():
        _write_rows(Task, TASK_COLUMNS, rows)
    written += len(rows)
    _reset_sequences(Task)
    out(f"Tasks: {written:,} on open trajects")
    return written


def seed(
    *,
    trajects: int,
    today: date | None = None,
    out: Callable[[str], None] = print,
    progress_out=None,
) -> Plan:
    """Create the whole demo set; the caller checks that the database is empty."""
    today = today or timezone.localdate()
    plan = Plan.for_size(trajects, today)
    rng = random.Random(SEED)
    users = create_users(plan, out)
    demo_lists_ensure()
    relations = create_relations(plan, rng)
    out(f"Relations: {plan.relations:,} with contacts")
    progress = Progress("Trajects", plan.trajects, progress_out)
    create_trajects(plan, users, relations, today, rng, progress)
    _reset_sequences(Relation, Contact, Traject, TrajectAccountmanager, Appointment, DossierEntry)
    create_vacancies(users["beheerder"], out)
    # stage_changed_at is written with each traject (COPY), and create_history sets it for the
    # trajects whose stage changes it writes: no pass over every traject afterwards (at
    # 1,000,000 trajects that pass alone took minutes).
    create_history(today=today, out=out)
    create_tasks(today=today, out=out)
    seed_quotes(count=min(36, max(3, trajects // 50)), today=today, seed=SEED, out=out)
    if connection.vendor == "postgresql":
        # After a bulk load autovacuum may be off or behind: the visibility map that makes the
        # overview's and the board's index-only scans index-only, and the statistics the
        # planner needs. VACUUM cannot run inside a transaction (a test's): ANALYZE there.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return plan


def demo_logins(accountmanagers: Iterable[str]) -> list[tuple[str, str, str]]:
    """(login, password, role) lines for the README and `make run`."""
    rows = [
        ("beheerder", DEMO_PASSWORD, "sales beheerder (sees every lead and traject)"),
        ("keyuser", DEMO_PASSWORD, "key-user (Instellingen)"),
    ]
    rows += [(name, DEMO_PASSWORD, "accountmanager") for name in accountmanagers]
    return rows


def serve_url(host: str, port: str | int) -> str:
    """The address a browser opens for `runserver HOST:PORT` (all interfaces: this machine)."""
    everywhere = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "localhost"}  # noqa: S104
    host = everywhere.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"
