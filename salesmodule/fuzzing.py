"""The URL fuzzer: every URL pattern as every role, with real ids, field names and bad values.

Shared by tests/salesmodule/test_fuzz_urls.py (2,000 requests) and `manage.py fuzz_urls`
(longer). Hypothesis is a development dependency, so it is imported inside `fuzz_run`.

A run is a fixed budget of requests split evenly over the URL patterns (`quotas`), and
within a pattern over the roles (`Fuzzer.slots`). Per pattern × role the first request is a
plain GET of a page the role may see (its forms and links teach the field names), the
second sends those forms filled as loaded ("polite"), the rest send what Hypothesis draws:
real ids the role can and cannot see, garbage, huge and negative numbers, unicode digits,
NUL bytes, impossible dates, with and without htmx headers. Every request runs in a
savepoint that is rolled back, so each one meets the same world; a streamed body is read
to its end.

"Reached": a response that is no 500, no 404, no 405 and no redirect to a login page, to a
POST or to a GET with a query string. A pattern × role that the rules refuse outright
(`door`: login required, a settings page for a non-key-user, no object of that kind the
role may see, a beheerder-only page) must instead be refused every time.
"""

import contextlib
import dataclasses
import html.parser
import json
import re
import sys
import traceback
from collections import Counter, defaultdict
from urllib.parse import parse_qsl, urlsplit

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import (
    NoReverseMatch,
    Resolver404,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)

ROLES = ("anonymous", "am1", "am2", "beheerder", "keyuser")
REQUESTS = 2_000

# Admin screens we fuzz: the key-user's settings lists and statistics (our own admin code).
ADMIN_APPS = ("settings_app_", "trajects_")
ADMIN_KEEP = {"admin:index", "admin:app_list"}
# Django's own machinery, not ours: logging out would end the run's session.
SKIP_NAMES = {
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Pages only a sales beheerder uses: anyone else is refused there (404 or 403).
BEHEERDER_ONLY = {
    "trajects:bin",
    "trajects:restore",
    "leads:import",
    "leads:import_detail",
    "leads:import_start",
}
# Pages only the sales roles (accountmanager, beheerder) use: a key-user gets 404.
SALES_ONLY = {
    "trajects:statistics", "followups:mine", "followups:more",
    "reports:index", "reports:forecast", "reports:forecast_csv", "reports:winloss",
    "reports:winloss_csv",
}  # fmt: skip
# The board exists only for users with Sales Select (SE3573): anyone else gets 404.
SALES_SELECT_ONLY = ("board:",)
# Ids that exist for nobody: missing, zero, past PostgreSQL's bigint, and deleted.
ODD_IDS = (0, 999_999, 2**63, 10**30)
EXTRA_TARGETS = ("nonexistent", "relatievelden", "redenveld", "lead-dialog", "all-expected")


@dataclasses.dataclass(frozen=True)
class Target:
    """One URL pattern we fuzz."""

    key: str  # the URL name, or the route when it has none
    route: str
    name: str | None
    params: tuple[str, ...]
    login_required: bool
    admin: bool

    def url(self, kwargs: dict) -> str | None:
        """The path for these parameters, or None when a converter refuses one."""
        try:
            return reverse(self.name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None


@dataclasses.dataclass
class Case:
    """Values for a pattern's URL parameters and the roles that may see the object."""

    kwargs: dict
    visible: frozenset
    label: str


@dataclasses.dataclass
class Outcome:
    """Per pattern × role: what the requests met."""

    sent: int = 0
    reached: int = 0
    statuses: Counter = dataclasses.field(default_factory=Counter)


@dataclasses.dataclass
class Failure:
    """One distinct 500."""

    key: str
    role: str
    method: str
    url: str
    data: dict
    headers: dict
    last_line: str
    where: str
    count: int = 1
    patterns: set = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class Report:
    """What a run sent, per pattern and role what it met, and the distinct 500s."""

    budget: int
    quotas: dict
    sent: Counter
    outcomes: dict
    failures: list
    doors: set

    def unreached(self) -> list[tuple[str, str]]:
        """Pattern × role pairs that should have reached their view and never did."""
        return [
            pair
            for pair, outcome in sorted(self.outcomes.items())
            if pair not in self.doors and not outcome.reached
        ]

    def door_leaks(self) -> list[tuple[str, str, Counter]]:
        """Refused pattern × role pairs that answered something other than a refusal."""
        leaks = []
        for pair in sorted(self.doors):
            statuses = self.outcomes[pair].statuses
            odd = Counter({s: n for s, n in statuses.items() if s not in REFUSALS})
            if odd:
                leaks.append((*pair, odd))
        return leaks

    def summary(self) -> str:
        """Requests per pattern against its quota, reached/sent per role, then every 500."""
        lines = [f"{sum(self.sent.values())} requests of a budget of {self.budget}"]
        for key in sorted(self.quotas):
            per_role = " ".join(
                f"{role}:{self.outcomes[key, role].reached}/{self.outcomes[key, role].sent}"
                for role in ROLES
            )
            lines.append(f"  {key}: {self.sent[key]}/{self.quotas[key]}  reached/sent {per_role}")
        lines.append(f"{len(self.failures)} distinct 500s")
        for failure in self.failures:
            lines.append(
                f"  500 ×{failure.count} {failure.key} as {failure.role}: {failure.method} "
                f"{failure.url} data={_short(failure.data)} headers={failure.headers}\n"
                f"      also on: {', '.join(sorted(failure.patterns - {failure.key})) or '-'}\n"
                f"      {failure.where}\n      {failure.last_line}"
            )
        return "\n".join(lines)


# What a refused pattern × role may answer: the login page, not-found or forbidden, and 400
# for a request Django finds suspicious before any view (a login redirect over 16 KB), 405
# for a method the view never takes.
REFUSALS = {302, 400, 403, 404, 405}


def _short(data: dict, limit: int = 300) -> str:
    text = repr(data)
    return text if len(text) <= limit else text[:limit] + "…"


def targets() -> list[Target]:
    """Every URL pattern we fuzz, from the resolver, sorted by key."""
    found = {}

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
                continue
            assert isinstance(pattern, URLPattern)
            if not pattern.name:
                continue  # media, the admin's redirects and catch-all: nothing of ours
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            admin = name.startswith("admin:")
            if name in SKIP_NAMES:
                continue
            if admin and name not in ADMIN_KEEP:
                model = name.removeprefix("admin:")
                if not model.startswith(ADMIN_APPS) or model.endswith("_history"):
                    continue
            params = tuple(pattern.pattern.regex.groupindex)
            callback = pattern.callback
            found[name] = Target(
                key=name,
                route=prefix + str(pattern.pattern),
                name=name,
                params=params,
                login_required=getattr(callback, "login_required", True),
                admin=admin,
            )

    walk(get_resolver().url_patterns, "", None)
    return [found[key] for key in sorted(found)]


def quotas(keys: list[str], budget: int) -> dict[str, int]:
    """The budget split evenly over the patterns; the first ones take the remainder."""
    base, extra = divmod(budget, len(keys))
    if base < 3 * len(ROLES):
        need = 3 * len(ROLES) * len(keys)
        raise ValueError(f"{len(keys)} patterns need a budget of at least {need} requests")
    return {key: base + (1 if i < extra else 0) for i, key in enumerate(sorted(keys))}


# ---------------------------------------------------------------- the world


@dataclasses.dataclass
class World:
    """The run's users by role and the objects whose ids fill the URL patterns."""

    users: dict  # role → user (anonymous: None)
    cases: dict  # kind → [Case]
    ids: list  # every real id of the world, for fields that take one


# The smallest valid PNG (1 × 1, transparent): a logo the settings screen can serve.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def world_build() -> World:
    """Users of every role and, for each, objects he can and cannot see."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from crm.models import AppointmentKind, Contact, Relation
    from followups import services as task_services
    from leads import services as lead_services
    from quotes import services as quote_services
    from settings_app import models as settings_models
    from settings_app.services import keyuser_group_ensure, user_settings_set
    from trajects import services as traject_services
    from trajects.models import Traject
    from vacancies.services import vacancy_create

    user_model = get_user_model()

    def user(username, **roles):
        person = user_model.objects.create_user(
            username=username, password="fuzz-pass-123", first_name=username.title()
        )
        user_settings_set(user=person, **roles)
        return person

    # Sales Select (SE3573) for am1 and the beheerder only: the board opens for them and is
    # absent (404) for am2 and the key-user.
    am1 = user("fuzz_am1", accountmanager=True, sales_select=True)
    am2 = user("fuzz_am2", accountmanager=True)
    beheerder = user("fuzz_beheerder", beheerder=True, sales_select=True)
    keyuser = user_model.objects.create_user(username="fuzz_keyuser", is_staff=True)
    keyuser.groups.add(keyuser_group_ensure())
    user_settings_set(user=keyuser)
    users = {"anonymous": None, "am1": am1, "am2": am2, "beheerder": beheerder,
             "keyuser": keyuser}  # fmt: skip

    today = timezone.localdate()
    relation = Relation.objects.create(name="Fuzz Bouw B.V.", city="Utrecht")
    contact = Contact.objects.create(relation=relation, first_name="Jan", last_name="Fuzz")
    other = Relation.objects.create(name="Ander B.V.", city="Zwolle")
    Contact.objects.create(relation=other, first_name="Els", last_name="Ander")
    business = settings_models.BusinessType.objects.get(code="EB")
    kind = settings_models.TrajectType.objects.get(is_default=True)

    def traject(subject, managers, *, converted=True, by=None):
        made = Traject.objects.create(
            subject=subject, relation=relation, contact=contact, business_type=business,
            type=kind, probability=50, value=Decimal("1000.00"), expected_close=today,
            lead_date=today, converted_at=timezone.now() if converted else None,
        )  # fmt: skip
        if managers:
            traject_services.traject_accountmanagers_set(traject=made, users=managers)
        by = by or (managers[0] if managers else beheerder)
        note = traject_services.dossier_note_add(traject=made, user=by, text=f"Notitie {subject}")
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time(10)))
        appointment = traject_services.traject_appointment_create(
            traject=made, user=by, start=start, kind=AppointmentKind.VISIT
        )
        # A follow-up task on every traject: its URLs take the traject's visibility.
        task = task_services.task_create(
            traject=made, user=by, title=f"Taak {subject}", due_on=today
        )
        made.fuzz_task = task
        return made, note, appointment

    cases = defaultdict(list)
    for label, managers, converted, by, visible in (
        ("am1", [am1], True, None, {"am1", "beheerder"}),
        ("am2", [am2], True, None, {"am2", "beheerder"}),
        ("shared", [am1, am2], True, am2, {"am1", "am2", "beheerder"}),
        ("lead-am1", [am1], False, None, {"am1", "beheerder"}),
        ("pool", [], False, beheerder, {"beheerder"}),
        ("deleted", [am1], True, None, set()),
    ):
        made, note, appointment = traject(f"Fuzz {label}", managers, converted=converted, by=by)
        manager = managers[-1] if managers else am1
        kwargs = {"pk": made.pk, "traject_pk": made.pk, "note_id": note.pk,
                  "appointment_id": appointment.pk, "user_id": manager.pk,
                  "task_id": made.fuzz_task.pk}  # fmt: skip
        cases["traject"].append(Case(kwargs, frozenset(visible), label))
        if label == "deleted":
            traject_services.traject_delete(traject=made, user=am1)
            cases["deleted"].append(Case({"pk": made.pk}, frozenset({"beheerder"}), label))

    trajects = {case.label: case.kwargs["pk"] for case in cases["traject"]}
    term = settings_models.PaymentTerm.objects.active().first()
    line = {"description": "Werving", "quantity": Decimal("2"), "unit": "uur",
            "unit_price": Decimal("55.00"), "vat_rate": 21}  # fmt: skip
    for label, owner, send in (("am1", am1, False), ("am1-sent", am1, True), ("am2", am2, False)):
        fields = {
            "title": f"Offerte {label}",
            "contact": contact,
            "payment_term": term,
            "valid_until": today + datetime.timedelta(days=30),
            "discount_percent": Decimal("0"),
            "opening_text": "",
            "closing_text": "",
        }
        quote = quote_services.quote_create(
            traject=trajects[label.removesuffix("-sent")], user=owner, fields=fields, lines=[line]
        )  # fmt: skip
        if send:
            quote = quote_services.quote_send(quote=quote, user=owner)
        visible = {label.removesuffix("-sent"), "beheerder"}
        cases["quote"].append(Case({"pk": quote.pk}, frozenset(visible), label))

    for role, person in users.items():
        if person is None:
            continue
        view = traject_services.saved_view_save(
            user=person, name=f"Weergave {role}", columns=["subject", "value"]
        )
        cases["savedview"].append(Case({"pk": view.pk}, frozenset({role}), role))
        view = traject_services.saved_view_save(
            user=person, name=f"Leads {role}", columns=["subject", "value"], overview="leads"
        )
        cases["leadview"].append(Case({"pk": view.pk}, frozenset({role}), role))

    vacancy = vacancy_create(created_by=am1, title="Fuzz monteur", relation=relation)
    everyone = frozenset(ROLES) - {"anonymous"}
    cases["vacancy"].append(Case({"pk": vacancy.pk}, everyone, "vacancy"))
    # The shared address book: every signed-in user sees a relation's card.
    cases["relation"].append(Case({"pk": relation.pk}, everyone, "relation"))
    cases["contact"].append(
        Case({"pk": relation.pk, "contact_id": contact.pk}, everyone, "contact")
    )

    header = "subject,relation,contact,email,value,source,accountmanager e-mail"
    content = f"{header}\nFuzz import,Fuzz Bouw B.V.,Jan Fuzz,jan@fuzz.nl,100,,\n".encode()
    lead_import = lead_services.lead_import_preview(
        created_by=beheerder, filename="fuzz.csv", content=content
    )
    cases["leadimport"].append(Case({"pk": lead_import.pk}, frozenset({"beheerder"}), "import"))

    # A finished export for each sales role, downloadable only by its owner.
    from trajects.models import ExportJob

    for role in ("am1", "am2", "beheerder"):
        job = ExportJob.objects.create(
            user=users[role], format=ExportJob.Format.CSV, status=ExportJob.Status.DONE,
            file=f"exports/fuzz-{role}.csv", rows_total=1, rows_done=1,
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )  # fmt: skip
        job.path.parent.mkdir(parents=True, exist_ok=True)
        job.path.write_text("Onderwerp\nFuzz\n", encoding="utf-8")
        cases["exportjob"].append(Case({"pk": job.pk}, frozenset({role}), role))

    # The agency logo, which the settings screen serves to key-users.
    from django.core.files.base import ContentFile

    client_settings = settings_models.ClientSettings.load()
    client_settings.agency_logo.save("fuzz.png", ContentFile(_PNG), save=True)

    admin_models = {
        "settings_app_clientsettings": settings_models.ClientSettings,
        "settings_app_usersettings": settings_models.UserSettings,
        "settings_app_trajecttype": settings_models.TrajectType,
        "settings_app_businesstype": settings_models.BusinessType,
        "settings_app_stage": settings_models.Stage,
        "settings_app_source": settings_models.Source,
        "settings_app_winlossreason": settings_models.WinLossReason,
        "settings_app_paymentterm": settings_models.PaymentTerm,
    }
    for prefix, model in admin_models.items():
        for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:2]:
            cases[f"admin:{prefix}"].append(
                Case({"object_id": str(pk)}, frozenset({"keyuser"}), prefix)
            )
    for app_label in ("settings_app", "trajects", "auth"):
        cases["app_label"].append(Case({"app_label": app_label}, frozenset({"keyuser"}), app_label))

    ids = sorted(
        {value for kind in cases.values() for case in kind for value in case.kwargs.values()
         if isinstance(value, int)}
        | {relation.pk, other.pk, contact.pk, vacancy.pk, business.pk, kind.pk}
        | {person.pk for person in users.values() if person}
    )  # fmt: skip
    return World(users=users, cases=dict(cases), ids=ids)


def _kind(target: Target) -> str | None:
    """Which of the world's cases fill this pattern's parameters."""
    if not target.params:
        return None
    name = target.key
    if name.startswith("admin:"):
        if "app_label" in target.params:
            return "app_label"
        return "admin:" + name.removeprefix("admin:").rsplit("_", 1)[0]
    if name.startswith("quotes:"):
        return "traject" if "traject_pk" in target.params else "quote"
    if name in ("trajects:export_job", "trajects:export_job_download"):
        return "exportjob"
    if name in ("trajects:view_default", "trajects:view_delete"):
        return "savedview"
    if name == "trajects:restore":
        return "deleted"
    if name.startswith(("trajects:", "board:", "followups:")):
        return "traject"
    if name.startswith("vacancies:"):
        return "vacancy"
    if name == "crm:contact_edit":
        return "contact"
    if name.startswith("crm:"):
        return "relation"
    if name.startswith("leads:import"):
        return "leadimport"
    if name in ("leads:view_default", "leads:view_delete"):
        return "leadview"
    raise ValueError(f"no world for the parameters of {name}")


def doors(targets_: list[Target], world: World) -> set[tuple[str, str]]:
    """The pattern × role pairs the rules refuse outright (see the module docstring)."""
    from settings_app.roles import roles_of

    refused = set()
    for target in targets_:
        kind = _kind(target)
        for role in ROLES:
            user = world.users[role]
            if user is None:
                shut = target.login_required
            elif target.admin:
                shut = not roles_of(user).keyuser
            elif target.key in BEHEERDER_ONLY:
                shut = not roles_of(user).beheerder
            elif target.key.startswith(SALES_SELECT_ONLY):
                shut = not roles_of(user).sales_select
            elif target.key in SALES_ONLY:
                shut = not (roles_of(user).beheerder or roles_of(user).accountmanager)
            else:
                shut = kind is not None and not any(
                    role in case.visible for case in world.cases[kind]
                )
            if shut:
                refused.add((target.key, role))
    return refused


# ---------------------------------------------------------------- what pages teach


@dataclasses.dataclass
class Fields:
    """Field names and the values pages offered for them, per method."""

    get: dict = dataclasses.field(default_factory=lambda: defaultdict(list))
    post: dict = dataclasses.field(default_factory=lambda: defaultdict(list))
    files: set = dataclasses.field(default_factory=set)

    def of(self, method: str) -> dict:
        """The fields sent by this method."""
        return self.post if method == "POST" else self.get

    def add(self, method: str, name: str, value: str):
        """Learn a field and a value offered for it (up to 20 values)."""
        values = self.of(method)[name]
        if value not in values and len(values) < 20:
            values.append(value)


class _PageParser(html.parser.HTMLParser):
    """Collects forms (action, method, fields), links with query strings and htmx targets."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[tuple[str, str, list]] = []  # (url, method, [(name, value, type)])
        self.open: list | None = None
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""
        self.targets: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        target = attrs.get("hx-target") or ""
        if target.startswith("#"):
            self.targets.add(target[1:])
        hx_vals = []
        if attrs.get("hx-vals"):
            with contextlib.suppress(ValueError, AttributeError):
                hx_vals = [(k, str(v), "hidden") for k, v in json.loads(attrs["hx-vals"]).items()]
        for attr in ("href", "hx-get", "hx-post", "action"):
            url = attrs.get(attr)
            if url and tag != "form":
                method = "POST" if attr == "hx-post" else "GET"
                own = [(attrs["name"], attrs.get("value", ""), attrs.get("type", "text"))] if (
                    attrs.get("name") and tag in ("input", "select")
                ) else []  # fmt: skip
                self.forms.append((url, method, own + hx_vals))
        if tag == "form":
            method = "POST" if (attrs.get("method") or "get").lower() == "post" else "GET"
            url = attrs.get("action") or attrs.get("hx-post") or attrs.get("hx-get") or self.base
            self.open = []
            self.forms.append((url, method, self.open))
            self.open.extend(hx_vals)
            return
        if self.open is None or not attrs.get("name"):
            return
        name = attrs["name"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                self.open.append((name, attrs.get("value", ""), "hidden"))
            elif kind in ("checkbox", "radio"):
                self.open.append((name, attrs.get("value", "on"), kind))
            else:
                self.open.append((name, attrs.get("value", ""), kind))
        elif tag == "select":
            self.select = name
            self.open.append((name, "", "select"))
        elif tag == "option" and self.select:
            self.open.append((self.select, attrs.get("value", ""), "option"))
        elif tag == "textarea":
            self.textarea = name
            self.text = ""
        elif tag == "button":
            self.open.append((name, attrs.get("value", ""), "hidden"))

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea and self.open is not None:
            self.open.append((self.textarea, self.text, "textarea"))
            self.textarea = None


def _learn(page: str, base: str, fields: dict, hx_targets: set, keys: set):
    """Attribute the forms and query strings of a page to the patterns they address."""
    parser = _PageParser(base)
    try:
        parser.feed(page)
    except Exception:  # a page we cannot parse teaches nothing; the fuzzing goes on
        return
    hx_targets |= parser.targets
    for url, method, found in parser.forms:
        parts = urlsplit(url if not url.startswith("?") else base + url)
        if parts.scheme and parts.scheme not in ("http", "https"):
            continue
        path = parts.path or urlsplit(base).path
        try:
            match = resolve(path)
        except Resolver404:
            continue
        key = match.view_name
        if key not in keys:
            continue
        learnt = fields[key]
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            learnt.add("GET", name, value)
        for name, value, kind in found:
            if kind == "file":
                learnt.files.add(name)
                continue
            if kind == "select" and name in learnt.of(method):
                continue
            learnt.add(method, name, value)


def filter_fields() -> dict[str, list[str]]:
    """The filterset's and filter form's field names, for the pages that read them."""
    from leads.filters import LeadOverviewFilter
    from trajects.filters import OverviewFilter

    overview = list(OverviewFilter.base_filters) + ["page", "sort", "view", "columns"]
    return {
        "trajects:list": overview,
        "trajects:export_csv": overview,
        "trajects:export_xlsx": overview,
        "trajects:expected": overview,
        "leads:list": list(LeadOverviewFilter.base_filters)
        + ["page", "sort", "view", "cols", "per_page", "leads"],
    }


# ---------------------------------------------------------------- values


def value_strategies():
    """Tagged bad values: (what, value)."""
    from hypothesis import strategies as st

    def tagged(tag, strategy):
        return strategy.map(lambda value: (tag, value))

    digits = st.characters(categories=["Nd"])
    dates = st.tuples(st.integers(0, 10_000), st.integers(0, 13), st.integers(0, 32)).map(
        lambda ymd: "{:04d}-{:02d}-{:02d}".format(*ymd)
    )
    return st.one_of(
        tagged("real", st.just(None)),
        tagged("empty", st.just("")),
        tagged("garbage", st.text(max_size=40)),
        tagged("huge", st.integers(2**63 - 2, 10**40).map(str)),
        tagged("huge", st.sampled_from(["9" * 400, "1e400", "-1e400", "Infinity", "NaN"])),
        tagged("long", st.integers(300, 30_000).map(lambda n: "x" * n)),
        tagged("negative", st.integers(max_value=-1).map(str)),
        tagged("unicode-digits", st.text(digits, min_size=1, max_size=8)),
        tagged("nul", st.text(max_size=10).map(lambda s: s + "\x00" + s)),
        tagged("date", dates),
        tagged("date", st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "31-02-2026",
                                        "2026-02-29", "0000-00-00", "1-1-1", "10000-01-01"])),
        tagged("decimal", st.sampled_from(["1,5", "1.000,00", "€ 12", "-0", "0.000001", "1_000",
                                           "1e3", " 12 ", "١٢٣"])),
        tagged("id", st.integers(0, 10_000)),  # indexes into the world's real ids
        tagged("list", st.lists(st.text(max_size=5), min_size=2, max_size=3)),
    )  # fmt: skip


def recipe_strategy():
    """One request's choices, the same shape every time (Hypothesis replays consistently)."""
    from hypothesis import strategies as st

    return st.fixed_dictionaries(
        {
            "post": st.booleans(),
            "case": st.integers(0, 1_000),  # which object's ids (mod the cases + odd ids)
            "swap": st.integers(0, 1_000),  # maybe one parameter from another object
            "keep": st.integers(0, 3),  # 0: no loaded values, else the loaded form
            "fields": st.lists(st.integers(0, 1_000), max_size=4),
            "values": st.lists(value_strategies(), min_size=4, max_size=4),
            "extra": st.booleans(),  # an extra unknown field
            "hx": st.integers(0, 1_000),  # 0: none, 1: HX-Request only, else with a target
        }
    )


# ---------------------------------------------------------------- the run


@dataclasses.dataclass
class Slot:
    """One planned request."""

    target: Target
    role: str
    step: int  # 0: discovery GET, 1: polite form, 2+: drawn


class Fuzzer:
    """Sends the planned requests and keeps what they met."""

    def __init__(self, world: World, budget: int = REQUESTS, trace=None):
        self.world = world
        self.trace = trace
        self.refused_methods = defaultdict(set)
        self.budget = budget
        self.targets = targets()
        self.by_key = {target.key: target for target in self.targets}
        self.quotas = quotas(list(self.by_key), budget)
        self.doors = doors(self.targets, world)
        self.clients = {}
        for role, user in world.users.items():
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            self.clients[role] = client
        self.fields = defaultdict(Fields)
        for key, names in filter_fields().items():
            if key in self.by_key:
                for name in names:
                    self.fields[key].add("GET", name, "")
        self.hx_targets = set(EXTRA_TARGETS) | _partial_names()
        self.sent = Counter()
        self.outcomes = defaultdict(Outcome)
        self.failures: dict[tuple, Failure] = {}

    # the plan
    def slots(self) -> list[Slot]:
        """Every request of the budget: per pattern its quota, in rounds over all patterns.

        Every role gets a discovery GET and one drawn request; each role that may enter also
        a polite request; the rest of the quota is drawn by those roles in turn (by every
        role where none may enter).
        """
        plan = []
        for key, quota in self.quotas.items():
            target = self.by_key[key]
            open_roles = [r for r in ROLES if (key, r) not in self.doors]
            plan += [Slot(target, role, 0) for role in ROLES]
            plan += [Slot(target, role, 1) for role in open_roles]
            plan += [Slot(target, role, 2) for role in ROLES]
            rest = open_roles or list(ROLES)
            used = len(ROLES) * 2 + len(open_roles)
            plan += [Slot(target, rest[i % len(rest)], 2) for i in range(quota - used)]
        # Round by round over all patterns, so discovery has read every page before drawing.
        plan.sort(key=lambda slot: slot.step)
        return plan

    def visible_case(self, target: Target, role: str) -> dict:
        """URL parameters of an object the role may see (of any object where he sees none)."""
        kind = _kind(target)
        if kind is None:
            return {}
        cases = self.world.cases[kind]
        for case in cases:
            if role in case.visible:
                return dict(case.kwargs)
        return dict(cases[0].kwargs)

    def loaded(self, target: Target, method: str) -> dict:
        """The pattern's fields as a page offered them (the first value that is not empty)."""
        return {
            name: next((value for value in values if value), "")
            for name, values in self.fields[target.key].of(method).items()
        }

    # one request
    def send(self, slot: Slot, *, method: str, kwargs: dict, data: dict, headers: dict):
        """One request in a savepoint that is rolled back; its outcome counted."""
        target, role = slot.target, slot.role
        url = target.url({k: v for k, v in kwargs.items() if k in target.params})
        if url is None:  # a drawn value the converter refuses: send the visible object's
            url = target.url(
                {k: v for k, v in self.visible_case(target, role).items() if k in target.params}
            )
        client = self.clients[role]
        self.sent[target.key] += 1
        outcome = self.outcomes[target.key, role]
        outcome.sent += 1
        with transaction.atomic():
            if method == "POST":
                body = dict(data)
                for name in self.fields[target.key].files:
                    body.setdefault(name, SimpleUploadedFile("fuzz.csv", b"subject\n\x00\xff"))
                response = client.post(url, body, headers=headers)
            else:
                response = client.get(url, data, headers=headers)
            broken = _drain(response)
            transaction.set_rollback(True)
        if broken is not None:  # a streamed body that failed half-way counts as a 500
            response.status_code, response.exc_info = 500, broken
        status = response.status_code
        outcome.statuses[status] += 1
        if status == 405:
            self.refused_methods[target.key].add(method)
        if self.trace:
            self.trace(slot, method, url, data, headers, status)
        location = response.get("Location", "") if 300 <= status < 400 else ""
        to_login = urlsplit(location).path.endswith("/login/")
        carried = method == "POST" or bool(data)
        if status >= 500:
            self.record_failure(slot, method, url, data, headers, response)
        elif carried and status not in (404, 405) and not to_login:
            outcome.reached += 1
        if status == 200 and "html" in response.get("Content-Type", ""):
            _learn(
                response.content.decode(errors="replace"),
                url,
                self.fields,
                self.hx_targets,
                self.by_key.keys(),
            )
        return response

    def record_failure(self, slot, method, url, data, headers, response):
        """Keep a 500: the first request that caused it, and how often its cause came back."""
        exc_info = getattr(response, "exc_info", None)
        if exc_info:
            frames = traceback.extract_tb(exc_info[2])
            ours = [f for f in frames if "site-packages" not in f.filename] or frames
            where = f"{ours[-1].filename}:{ours[-1].lineno} in {ours[-1].name}" if ours else "?"
            last = traceback.format_exception_only(exc_info[0], exc_info[1])[-1].strip()
        else:
            where, last = "?", f"status {response.status_code}"
        # One cause, one entry: the same exception raised from the same line of our code.
        signature = (where, re.sub(r"'[^']*'|\d+", "…", last)[:80])
        if signature in self.failures:
            failure = self.failures[signature]
            failure.count += 1
            failure.patterns.add(slot.target.key)
            return
        self.failures[signature] = Failure(
            key=slot.target.key, role=slot.role, method=method, url=url, data=dict(data),
            headers=dict(headers), last_line=last[:500], where=where,
            patterns={slot.target.key},
        )  # fmt: skip

    # the three kinds of request
    def discover(self, slot: Slot):
        """A plain GET of the page; its forms and links teach the field names."""
        self.send(slot, method="GET", kwargs=self.visible_case(slot.target, slot.role),
                  data={}, headers={})  # fmt: skip

    def polite(self, slot: Slot):
        """The pattern's form as loaded, by the method the view takes."""
        target = slot.target
        posted = self.loaded(target, "POST")
        post_only = 405 in self.outcomes[target.key, slot.role].statuses
        if posted or post_only:
            method, data = "POST", posted or {"fuzz": "1"}
        else:
            method, data = "GET", self.loaded(target, "GET") or {"fuzz": "1"}
        self.send(slot, method=method, kwargs=self.visible_case(target, slot.role),
                  data=data, headers={})  # fmt: skip

    def drawn(self, slot: Slot, recipe: dict):
        """A request made of what Hypothesis drew: method, object, fields, values, headers."""
        target, role = slot.target, slot.role
        method = "POST" if recipe["post"] else "GET"
        refused = self.refused_methods[target.key]
        if method in refused and len(refused) < 2 and recipe["swap"] % 5:
            method = "GET" if method == "POST" else "POST"  # mostly the method the view takes
        kwargs = self.drawn_kwargs(target, role, recipe)
        data = self.loaded(target, method) if recipe["keep"] else {}
        names = sorted(
            (set(self.fields[target.key].of(method)) | set(data)) - {"csrfmiddlewaretoken"}
        )
        for index, (tag, value) in zip(recipe["fields"], recipe["values"], strict=False):
            if not names:
                break
            name = names[index % len(names)]
            data[name] = self.drawn_value(tag, value, name, target, method)
        if recipe["extra"]:
            tag, value = recipe["values"][-1]
            data["fuzz_" + str(recipe["hx"])] = self.drawn_value(tag, value, "x", target, method)
        headers = {}
        if recipe["hx"] % 3:
            headers["HX-Request"] = "true"
        if recipe["hx"] % 3 == 2:
            choices = sorted(self.hx_targets)
            headers["HX-Target"] = choices[recipe["hx"] % len(choices)]
        self.send(slot, method=method, kwargs=kwargs, data=data, headers=headers)

    def drawn_kwargs(self, target: Target, role: str, recipe: dict) -> dict:
        """URL parameters: an object the role sees, one he does not, or an id nobody has."""
        kind = _kind(target)
        if kind is None:
            return {}
        cases = self.world.cases[kind]
        visible = [case for case in cases if role in case.visible]
        n = len(cases) + len(ODD_IDS)
        pick = (recipe["case"] // 2) % n
        if visible and recipe["case"] % 2:  # half of the time an object the role may see
            kwargs = dict(visible[pick % len(visible)].kwargs)
        elif pick < len(cases):
            kwargs = dict(cases[pick].kwargs)
        else:
            odd = ODD_IDS[pick - len(cases)]
            kwargs = {name: odd for name in target.params}
            if kind.startswith("admin:") or kind == "app_label":
                kwargs = {name: str(odd) for name in target.params}
        if recipe["swap"] % 4 == 0 and target.params:
            name = target.params[recipe["swap"] % len(target.params)]
            other = cases[recipe["swap"] % len(cases)].kwargs.get(name)
            if other is not None:
                kwargs[name] = other
        return kwargs

    def drawn_value(self, tag, value, name, target, method):
        """A drawn value; 'real' and 'id' pick a value a page offered or an id of the world."""
        if tag == "real":
            offered = self.fields[target.key].of(method).get(name) or [""]
            return offered[-1]
        if tag == "id":
            return str(self.world.ids[value % len(self.world.ids)])
        return value

    def run(self, draw_all) -> Report:
        """Discovery, then polite requests, then the drawn ones; the report of all."""
        plan = self.slots()
        for slot in plan:
            if slot.step == 0:
                self.discover(slot)
        for slot in plan:
            if slot.step == 1:
                self.polite(slot)
        draw_all([slot for slot in plan if slot.step >= 2], self.drawn)
        return Report(
            budget=self.budget,
            quotas=self.quotas,
            sent=self.sent,
            outcomes={
                (key, role): self.outcomes[key, role] for key in self.quotas for role in ROLES
            },
            failures=list(self.failures.values()),
            doors=self.doors,
        )


def _drain(response):
    """Read a streamed body to its end (an export fails there, not before); exc_info or None."""
    if not getattr(response, "streaming", False):
        return None
    # The test client closes the response when its body ends or fails, with the request's
    # end-of-connection handling switched off; closing it here again would fire that handling
    # and drop the connection inside the rolled-back savepoint (PostgreSQL).
    try:
        for _chunk in response.streaming_content:
            pass
    except Exception:  # any failure of the stream is the finding
        return sys.exc_info()
    return None


def _partial_names() -> set[str]:
    """The partial names the templates define: the HX-Target ids the views answer to."""
    from pathlib import Path

    from django.conf import settings

    names = set()
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in Path(folder).rglob("*.html"):
            names |= set(re.findall(r"partialdef ([\w-]+)", path.read_text()))
    return names


def hypothesis_driver(slots: list[Slot], request) -> None:
    """Send each slot's request with a recipe Hypothesis draws (derandomized, no database)."""
    from hypothesis import HealthCheck, Phase, given, settings

    queue = list(reversed(slots))
    for _round in range(10):
        if not queue:
            return

        @settings(
            derandomize=True,
            database=None,
            max_examples=len(queue),
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(recipe_strategy())
        def one(recipe):
            if queue:
                request(queue.pop(), recipe)

        one()
    if queue:
        raise RuntimeError(f"Hypothesis stopped with {len(queue)} requests unsent")


def fuzz_run(budget: int = REQUESTS, trace=None) -> Report:
    """Build the world and send `budget` requests; the caller is inside a test database."""
    world = world_build()
    fuzzer = Fuzzer(world, budget, trace)
    return fuzzer.run(hypothesis_driver)
