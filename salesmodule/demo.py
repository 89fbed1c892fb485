"""Deterministic demo data: users with known logins, relations, leads, trajects and visits.

Rows are generated in chunks and written with COPY on PostgreSQL (bulk_create elsewhere), so
1,000,000 trajects with their links and appointments load in a few minutes on two cores.
"""

import random
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from crm.models import Appointment, Contact, Relation
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
from settings_app.services import keyuser_group_ensure, user_settings_set
from trajects.models import Traject, TrajectAccountmanager

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
                copy.write_row(row)
        return
    attnames = {field.column: field.attname for field in model._meta.concrete_fields}
    names = [attnames[column] for column in columns]
    model.objects.bulk_create(
        [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=2000
    )


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
        stages = list(Stage.objects.order_by("order"))
        self.open_stages = [s.pk for s in stages if not s.outcome_on_entry]
        self.stage_for = {s.outcome_on_entry: s.pk for s in stages if s.outcome_on_entry}
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

    def traject(self, traject_id: int, link_id: int, appointment_id: int):
        """Rows for one traject, its accountmanager links and its appointments."""
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
        if outcome == Outcome.OPEN:
            probability = self.default_probability if is_lead else rng.choice(range(10, 100, 10))
            stage = rng.choice(self.open_stages)
            reason = None
        else:
            probability = 100 if outcome == Outcome.WON else rng.choice((0, 10, 20, 30))
            stage = self.stage_for[outcome]
            reason = rng.choice(self.reasons[outcome])
        value = None if rng.random() < 0.06 else Decimal(rng.choice(VALUES))
        template = GLASS_DOORS if rng.random() < 0.01 else rng.choice(SUBJECTS)
        subject = template.format(n=rng.randint(2, 40), q=rng.randint(1, 4), c=f"#{traject_id}")
        created = self._moment(lead_date, 9)
        converted = None if is_lead else created + timedelta(days=rng.randint(0, 10))
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
                        created,
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
            self.nb if rng.random() < 0.4 else self.eb,
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
        links = [
            (link_id + index, traject_id, am, close, created, lead_by, index)
            for index, am in enumerate(ams)
        ]
        return traject_row, links, appointments


def create_trajects(plan, users, relations, today, rng, progress: Progress) -> None:
    """Trajects, their accountmanager links and appointments, chunk by chunk."""
    generator = TrajectGenerator(plan, users, relations, today, rng)
    traject_id = _next_id(Traject)
    link_id = _next_id(TrajectAccountmanager)
    appointment_id = _next_id(Appointment)
    remaining = plan.trajects
    while remaining:
        size = min(CHUNK, remaining)
        trajects, links, appointments = [], [], []
        for _ in range(size):
            row, new_links, new_appointments = generator.traject(
                traject_id, link_id, appointment_id
            )
            trajects.append(row)
            links += new_links
            appointments += new_appointments
            traject_id += 1
            link_id += len(new_links)
            appointment_id += len(new_appointments)
        with transaction.atomic():
            _write_rows(Traject, TRAJECT_COLUMNS, trajects)
            _write_rows(TrajectAccountmanager, LINK_COLUMNS, links)
            _write_rows(Appointment, APPOINTMENT_COLUMNS, appointments)
        remaining -= size
        progress.advance(size)


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
    relations = create_relations(plan, rng)
    out(f"Relations: {plan.relations:,} with contacts")
    progress = Progress("Trajects", plan.trajects, progress_out)
    create_trajects(plan, users, relations, today, rng, progress)
    _reset_sequences(Relation, Contact, Traject, TrajectAccountmanager, Appointment)
    seed_quotes(count=min(36, max(3, trajects // 50)), today=today, seed=SEED, out=out)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return plan


def demo_logins(accountmanagers: Iterable[str]) -> list[tuple[str, str, str]]:
    """(login, password, role) lines for the README and `make run`."""
    rows = [
        ("beheerder", DEMO_PASSWORD, "sales beheerder (sees every lead and traject)"),
        ("keyuser", DEMO_PASSWORD, "key-user (Instellingen)"),
    ]
    rows += [(name, DEMO_PASSWORD, "accountmanager") for name in accountmanagers]
    return rows
