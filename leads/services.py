"""Writes of the leads app: intake, distribution of the pool, and the lead import.

Who gets a lead (DESIGN, 'Who uses it'): an accountmanager's own lead is his at once and skips
the pool; a beheerder chooses the accountmanagers or leaves the lead in the pool; a user with
neither setting cannot create leads (PermissionDenied, the view answers 403 with the message).
"""

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Contact, Relation
from crm.services import contact_create
from salesmodule.text import normalise
from settings_app.models import BusinessType, ClientSettings, Stage, TrajectType
from settings_app.roles import accountmanagers as active_accountmanagers
from settings_app.roles import person_name, roles_of
from trajects.models import DossierEntry, DossierKind, Traject, TrajectAccountmanager
from trajects.outcomes import stage_check
from trajects.services import dossier_log, traject_accountmanagers_set, traject_counts_refresh
from trajects.signals import IMPORT, acting_as, traject_changed_send, traject_changed_send_each
from vacancies.models import Vacancy

from .imports import ImportFileError, ImportRow, read_table, rows_validate
from .models import ImportStatus, LeadImport

logger = logging.getLogger(__name__)

NEW_BUSINESS, EXISTING_BUSINESS = "NB", "EB"
BATCH = 1000


def business_type_default(*, new_relation: bool) -> BusinessType | None:
    """NB for a new relation, EB for an existing one (the first active type if renamed away)."""
    code = NEW_BUSINESS if new_relation else EXISTING_BUSINESS
    active = BusinessType.objects.active()
    return active.filter(code=code).first() or active.first()


def _lead_stage_check(*, stage: Stage, business_type: BusinessType | None) -> None:
    """A new lead takes an active stage of its business type that does not close it (a won or
    lost lead would need a reason and a closing: that is a move, not an intake)."""
    if not stage.active:
        raise ValidationError({"stage": _("Stage “%(stage)s” is niet actief.") % {"stage": stage}})
    if stage.outcome_on_entry:
        raise ValidationError(
            {
                "stage": _(
                    "Stage “%(stage)s” maakt een traject gewonnen of verloren; een nieuwe lead "
                    "begint in een open stage."
                )
                % {"stage": stage}
            }
        )
    stage_check(stage=stage, business_type=business_type)


def _lead_accountmanagers(*, created_by, users: Iterable) -> list:
    """Who the new lead is assigned to: the creating accountmanager, or the beheerder's choice."""
    roles = roles_of(created_by)
    users = list(users or [])
    if not roles.can_create_leads:
        raise PermissionDenied(
            _("Alleen accountmanagers en sales beheerders kunnen leads aanmaken.")
        )
    if not roles.beheerder:
        if any(user.pk != created_by.pk for user in users):
            raise ValidationError(
                {
                    "accountmanagers": _(
                        "Een lead die u aanmaakt komt op uw eigen naam; "
                        "een sales beheerder verdeelt leads over anderen."
                    )
                }
            )
        return [created_by]
    allowed = set(
        active_accountmanagers().filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True)
    )
    if any(user.pk not in allowed for user in users):
        raise ValidationError(
            {"accountmanagers": _("Alleen actieve accountmanagers kunnen een lead krijgen.")}
        )
    return users


@transaction.atomic
def lead_create(
    *,
    created_by,
    subject: str,
    relation: Relation | None = None,
    new_relation: dict | None = None,
    contact: Contact | None = None,
    new_contact: dict | None = None,
    business_type: BusinessType | None = None,
    source=None,
    probability: int | None = None,
    value: Decimal | None = None,
    lead_date: datetime.date | None = None,
    expected_close: datetime.date | None = None,
    lead_by=None,
    accountmanagers: Iterable = (),
    vacancy: Vacancy | None = None,
    stage: Stage | None = None,
) -> Traject:
    """Create a lead on an existing relation or on a new relation and contact, in one go.

    Defaults: business NB for a new relation and EB for an existing one, kans the client's
    default, lead date today, expected close the lead date, lead by the creator. A stage (the
    board's quick add) is an active open stage of the lead's business type.
    """
    assigned = _lead_accountmanagers(created_by=created_by, users=accountmanagers)
    business_type = business_type or business_type_default(new_relation=bool(new_relation))
    if stage is not None:
        _lead_stage_check(stage=stage, business_type=business_type)
    if vacancy is not None:
        if vacancy.relation_id is None:
            raise ValidationError({"vacancy": vacancy_without_relation_message()})
        if relation is None and new_relation is None:
            relation = vacancy.relation
        if relation is None or relation.pk != vacancy.relation_id:
            raise ValidationError(
                {"relation": _("Een lead uit een vacature hoort bij de relatie van de vacature.")}
            )
    if (relation is None) == (new_relation is None):
        raise ValidationError({"relation": _("Kies een bestaande relatie of vul een nieuwe in.")})
    if lead_by is not None and not lead_by.is_active:
        raise ValidationError({"lead_by": _("Kies een actieve gebruiker.")})

    if new_relation is not None:
        relation = Relation(**new_relation)
        relation.full_clean()
        relation.save()
        if new_contact:
            contact = Contact(relation=relation, **new_contact)
            contact.full_clean()
            contact.save()
    elif new_contact and contact is None:
        contact = contact_create(relation=relation, user=created_by, data=new_contact)
    elif contact is not None and contact.relation_id != relation.pk:
        raise ValidationError({"contact": _("Deze contactpersoon hoort niet bij de relatie.")})

    lead_date = lead_date or timezone.localdate()
    traject = Traject(
        subject=" ".join((subject or "").split()),
        relation=relation,
        contact=contact,
        vacancy=vacancy,
        business_type=business_type,
        type=TrajectType.objects.get(is_default=True),
        stage=stage,
        source=source,
        probability=(
            ClientSettings.load().default_probability if probability is None else probability
        ),
        value=value,
        lead_date=lead_date,
        expected_close=expected_close or lead_date,
        lead_by=lead_by or created_by,
        created_by=created_by,
    )
    traject.full_clean()
    traject.save()
    if assigned:
        traject_accountmanagers_set(traject=traject, users=assigned, by=created_by, log=False)
    dossier_log(
        traject=traject,
        kind=DossierKind.CREATED,
        author=created_by,
        vacancy=vacancy.pk if vacancy else None,
        vacancy_title=vacancy.title if vacancy else "",
        accountmanagers=[user.pk for user in assigned],
    )
    # A new lead enters its stage (the board's quick add) and its type, like an edit would.
    traject_changed_send(traject=traject, changes=_created_changes(traject), user=created_by)
    return traject


def _created_changes(traject: Traject) -> dict:
    """What traject_changed says of a new lead: created, and the stage and type it starts in."""
    changes = {"created": {"old": None, "new": True}, "type": {"old": None, "new": traject.type_id}}
    if traject.stage_id is not None:
        changes["stage"] = {"old": None, "new": traject.stage_id}
    return changes


def vacancy_without_relation_message() -> str:
    """What a user reads when a vacancy has no relation to start a lead on."""
    return _(
        "Deze vacature heeft geen relatie. Koppel eerst een relatie aan de vacature "
        "(Wijzigen), dan kunt u er via Meer → Sales Tracker een lead van maken."
    )


@transaction.atomic
def lead_distribute(*, leads: Iterable, accountmanagers: Iterable, by) -> list[Traject]:
    """A beheerder assigns one or more accountmanagers to the chosen leads in one action."""
    if not roles_of(by).beheerder:
        raise PermissionDenied(_("Alleen een sales beheerder kan leads verdelen."))
    users = list(accountmanagers)
    if not users:
        raise ValidationError({"accountmanagers": _("Kies minstens één accountmanager.")})
    allowed = set(
        active_accountmanagers().filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True)
    )
    if any(user.pk not in allowed for user in users):
        raise ValidationError(
            {"accountmanagers": _("Alleen actieve accountmanagers kunnen een lead krijgen.")}
        )
    ids = {lead.pk if isinstance(lead, Traject) else int(lead) for lead in leads}
    if not ids:
        raise ValidationError({"leads": _("Kies minstens één lead.")})
    found = list(
        Traject.objects.visible_to(by)
        .leads()
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if len(found) != len(ids):
        raise ValidationError(
            {"leads": _("Een of meer gekozen leads bestaan niet (meer) of zijn al een traject.")}
        )
    User = get_user_model()
    names = [person_name(user) for user in users]
    for lead in found:
        current = list(User.objects.filter(traject_links__traject=lead))
        current_ids = {user.pk for user in current}
        added = [user for user in users if user.pk not in current_ids]
        if not added:
            continue
        traject_accountmanagers_set(traject=lead, users=[*current, *added], by=by, log=False)
        dossier_log(
            traject=lead,
            kind=DossierKind.SHARE,
            author=by,
            added=[user.pk for user in added],
            names=names,
        )
    return found


# --- Import --------------------------------------------------------------------------------


@transaction.atomic
def lead_import_preview(*, created_by, filename: str, content: bytes) -> LeadImport:
    """Read and check an uploaded file; nothing is imported yet (the preview names bad rows)."""
    if not roles_of(created_by).beheerder:
        raise PermissionDenied(_("Alleen een sales beheerder kan leads importeren."))
    try:
        rows = rows_validate(read_table(content, filename))
    except ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if not rows:
        raise ValidationError({"file": _("Het bestand bevat geen rijen met leads.")})
    bad = [{"row": row.number, "errors": row.errors} for row in rows if row.errors]
    return LeadImport.objects.create(
        created_by=created_by,
        filename=filename.replace("\x00", "")[:255],
        content=content,
        total_rows=len(rows),
        valid_rows=len(rows) - len(bad),
        bad_rows=bad,
    )


@transaction.atomic
def lead_import_start(*, lead_import: LeadImport | int, user) -> LeadImport:
    """Queue the import of the previewed valid rows (once; a second start changes nothing)."""
    if not roles_of(user).beheerder:
        raise PermissionDenied(_("Alleen een sales beheerder kan leads importeren."))
    pk = lead_import.pk if isinstance(lead_import, LeadImport) else lead_import
    lead_import = LeadImport.objects.select_for_update().get(pk=pk)
    if lead_import.status != ImportStatus.PREVIEW:
        return lead_import
    if lead_import.valid_rows == 0:
        raise ValidationError({"file": _("Er zijn geen geldige rijen om te importeren.")})
    lead_import.status = ImportStatus.QUEUED
    lead_import.task_id = str(uuid.uuid4())
    lead_import.save(update_fields=["status", "task_id"])

    from .tasks import lead_import_run_task

    task_id = lead_import.task_id
    transaction.on_commit(lambda: lead_import_run_task.apply_async((pk,), task_id=task_id))
    return lead_import


def lead_import_run(
    *, import_id: int, progress: Callable[[int, int], None] | None = None
) -> LeadImport:
    """Import the valid rows in one transaction: all of them or, when anything fails, none.

    Safe to run twice: a finished import is left alone, and a second worker waits on the row
    lock and then finds it finished.
    """
    now = timezone.now()
    LeadImport.objects.filter(
        pk=import_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(status=ImportStatus.RUNNING, started_at=now)
    try:
        with transaction.atomic():
            lead_import = LeadImport.objects.select_for_update().get(pk=import_id)
            if lead_import.status != ImportStatus.RUNNING:
                return lead_import
            rows = rows_validate(read_table(bytes(lead_import.content), lead_import.filename))
            valid = [row for row in rows if not row.errors]
            relations_created = _rows_import(lead_import, valid, progress)
            lead_import.status = ImportStatus.DONE
            lead_import.imported_count = len(valid)
            lead_import.relations_created = relations_created
            lead_import.total_rows = len(rows)
            lead_import.valid_rows = len(valid)
            lead_import.bad_rows = [
                {"row": row.number, "errors": row.errors} for row in rows if row.errors
            ]
            lead_import.finished_at = timezone.now()
            lead_import.error = ""
            lead_import.save()
            return lead_import
    except Exception as exc:
        logger.exception("Lead import %s failed", import_id)
        LeadImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED,
            error=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now(),
        )
        return LeadImport.objects.get(pk=import_id)


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _business_of(stage, default, stage_business: dict):
    """A row's business type: the default (NB for a new relation, EB otherwise), unless its
    stage does not belong to that one; then the stage's first business type."""
    if stage is None:
        return default
    own = stage_business[stage.pk]
    return default if default in own or not own else own[0]


def _contact_key(relation_id: int, name: str, email: str) -> tuple:
    return (relation_id, email.lower()) if email else (relation_id, "name", normalise(name))


def _rows_import(lead_import: LeadImport, rows: list[ImportRow], progress) -> int:
    """Write the rows as leads with bulk inserts; returns how many relations were created."""
    user = lead_import.created_by
    total = len(rows)

    # Relations: matched by normalised name, the rest created once each.
    wanted = {}
    for row in rows:
        wanted.setdefault(normalise(row.relation)[:200], row.relation)
    relation_ids: dict[str, int] = {}
    for chunk in _chunks(list(wanted)):
        for pk, key in (
            Relation.objects.filter(name_normalised__in=chunk)
            .order_by("pk")
            .values_list("pk", "name_normalised")
        ):
            relation_ids.setdefault(key, pk)
    new_relations = [
        Relation(name=name, name_normalised=key)
        for key, name in wanted.items()
        if key not in relation_ids
    ]
    Relation.objects.bulk_create(new_relations, batch_size=BATCH)
    relation_ids.update({relation.name_normalised: relation.pk for relation in new_relations})
    created_relation_ids = {relation.pk for relation in new_relations}

    # Contacts: matched at their relation by e-mail (or by name without one), else created.
    contact_ids: dict[tuple, int] = {}
    existing_ids = [pk for pk in relation_ids.values() if pk not in created_relation_ids]
    for chunk in _chunks(existing_ids):
        for contact in Contact.objects.filter(relation_id__in=chunk).order_by("pk"):
            if contact.email:
                contact_ids.setdefault((contact.relation_id, contact.email.lower()), contact.pk)
            contact_ids.setdefault(
                (contact.relation_id, "name", normalise(str(contact))), contact.pk
            )
    new_contacts = {}
    for row in rows:
        if not (row.contact or row.email):
            continue
        relation_id = relation_ids[normalise(row.relation)[:200]]
        key = _contact_key(relation_id, row.contact, row.email)
        if key in contact_ids or key in new_contacts:
            continue
        first, _sep, last = row.contact.partition(" ")
        new_contacts[key] = Contact(
            relation_id=relation_id,
            first_name=first[:100] if last else "",
            last_name=(last or first or row.email)[:100],
            email=row.email,
        )
    Contact.objects.bulk_create(list(new_contacts.values()), batch_size=BATCH)
    contact_ids.update({key: contact.pk for key, contact in new_contacts.items()})

    # The leads themselves, their accountmanager links and a dossier line each.
    today = timezone.localdate()
    probability = ClientSettings.load().default_probability
    lead_type = TrajectType.objects.get(is_default=True)
    new_business = business_type_default(new_relation=True)
    existing_business = business_type_default(new_relation=False)
    stage_business = {
        stage.pk: list(stage.business_types.order_by("order", "pk"))
        for stage in {row.stage for row in rows if row.stage is not None}
    }
    done = 0
    for chunk in _chunks(rows):
        trajects = []
        for row in chunk:
            relation_id = relation_ids[normalise(row.relation)[:200]]
            contact_id = (
                contact_ids[_contact_key(relation_id, row.contact, row.email)]
                if row.contact or row.email
                else None
            )
            trajects.append(
                Traject(
                    subject=row.subject,
                    relation_id=relation_id,
                    contact_id=contact_id,
                    business_type=_business_of(
                        row.stage,
                        new_business if relation_id in created_relation_ids else existing_business,
                        stage_business,
                    ),
                    stage=row.stage,
                    type=lead_type,
                    source=row.source,
                    probability=probability,
                    value=row.value,
                    lead_date=today,
                    expected_close=today,
                    lead_by=user,
                    created_by=user,
                    accountmanager_count=1 if row.accountmanager else 0,
                )
            )
        Traject.objects.bulk_create(trajects, batch_size=BATCH)
        TrajectAccountmanager.objects.bulk_create(
            [
                TrajectAccountmanager(
                    traject=traject,
                    user=row.accountmanager,
                    expected_close=traject.expected_close,
                    added_by=user,
                )
                for traject, row in zip(trajects, chunk, strict=True)
                if row.accountmanager
            ],
            batch_size=BATCH,
        )
        # The stored count is recomputed from the link table, as every assignment does.
        traject_counts_refresh(traject_ids=[t.pk for t in trajects if t.accountmanager_count])
        DossierEntry.objects.bulk_create(
            [
                DossierEntry(
                    traject=traject,
                    kind=DossierKind.CREATED,
                    author=user,
                    data={
                        "import": lead_import.pk,
                        "file": lead_import.filename,
                        "row": row.number,
                    },
                )
                for traject, row in zip(trajects, chunk, strict=True)
            ],
            batch_size=BATCH,
        )
        with acting_as(IMPORT):  # workflows fire on these only where a rule says so
            traject_changed_send_each([(t, _created_changes(t)) for t in trajects], user=user)
        done += len(chunk)
        if progress:
            progress(done, total)
    return len(new_relations)
