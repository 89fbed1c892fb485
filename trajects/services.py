"""Writes on trajects: each a small function, one transaction, an audit entry, the object returned.

The rules of DESIGN.md live here: conversion on the assigned accountmanager's first saved edit
(rule 1), won/lost reasons (rule 6), at least one accountmanager (rule 7), the first visit
date (rule 8), the per-field conflict check (rule 9) and recoverable deletion (rule 10).
Views call these functions; a traject the user may not see raises Traject.DoesNotExist (the
view answers 404), an action he may not perform raises PermissionDenied with a message (403).
"""

import datetime
import logging
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    F,
    FileField,
    Max,
    Min,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.deletion import Collector
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.models import Appointment, AppointmentKind
from settings_app.models import ClientSettings
from settings_app.price_ranges import thresholds_text
from settings_app.roles import accountmanagers, person_name, roles_of

from . import statistics
from .exports import export_write
from .models import (
    EXPORT_LIFETIME,
    RECYCLE_BIN_RETENTION,
    DossierEntry,
    DossierKind,
    ExportJob,
    PriceRangeStatistic,
    PurgedTraject,
    SavedView,
    StatisticsRegeneration,
    StatisticsSet,
    Traject,
    TrajectAccountmanager,
)
from .outcomes import outcome_apply
from .overview import overview_build
from .signals import traject_changed_send, workflow_acting

RETENTION = RECYCLE_BIN_RETENTION
logger = logging.getLogger(__name__)

# The fields of the Informatie widget: what an edit may change, and what converts a lead.
EDITABLE_FIELDS = (
    "subject",
    "relation",
    "contact",
    "vacancy",
    "business_type",
    "type",
    "stage",
    "source",
    "win_loss_reason",
    "probability",
    "value",
    "expected_close",
    "lead_date",
    "lead_by",
)
FIELD_KINDS = {"type": DossierKind.TYPE_CHANGE, "stage": DossierKind.STAGE_CHANGE}
# The Informatie fields outcome_apply may change along with the ones asked (rule 6).
OUTCOME_FIELDS = frozenset({"type", "probability", "win_loss_reason"})


@dataclass(frozen=True)
class FieldConflict:
    field: str
    changed_by: str
    current: str


class TrajectConflict(Exception):
    """A field this save changes was changed by someone else since the form was loaded."""

    def __init__(self, conflicts: list[FieldConflict]):
        self.conflicts = conflicts
        super().__init__("; ".join(f"{c.field}: {c.current} ({c.changed_by})" for c in conflicts))


def _field_value(traject: Traject, field: str):
    """The comparable value of a field: the id for relations, the value otherwise."""
    model_field = Traject._meta.get_field(field)
    return getattr(traject, model_field.attname)


def _normalised(field: str, value):
    """Bring a submitted value to the stored form so '50' == 50 and 1000 == Decimal('1000.00')."""
    if value in ("", None):
        return None
    model_field = Traject._meta.get_field(field)
    if hasattr(value, "pk"):
        return value.pk
    try:
        if model_field.is_relation:
            return int(value)
        return model_field.to_python(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Ongeldige waarde.")}) from exc
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _display(traject: Traject, field: str) -> str:
    value = getattr(traject, field)
    if value is None or value == "":
        return "–"
    if hasattr(value, "get_full_name"):
        return person_name(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _locked(traject: Traject | int, user) -> Traject:
    """The traject re-read under a row lock, if the user may see it (DoesNotExist otherwise).

    No user inside a workflow's actions (signals.acting_as) is the workflow itself: it acts on
    any traject that is not deleted. Anywhere else no user sees nothing."""
    pk = traject.pk if isinstance(traject, Traject) else traject
    if user is None and workflow_acting():
        trajects = Traject.objects.filter(deleted_at__isnull=True)
    else:
        trajects = Traject.objects.visible_to(user)
    return trajects.select_for_update(of=("self",)).get(pk=pk)


def _is_assigned(traject: Traject, user) -> bool:
    return TrajectAccountmanager.objects.filter(traject=traject, user=user).exists()


def _last_changer(traject: Traject, field: str) -> str:
    entry = (
        DossierEntry.objects.filter(traject=traject, data__field=field)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )
    if entry and entry.author:
        return person_name(entry.author)
    return _("iemand anders")


def _accountmanager_ids(traject: Traject) -> list[int]:
    """The traject's accountmanagers' user ids, in the order they were added."""
    links = TrajectAccountmanager.objects.filter(traject=traject).order_by("position", "pk")
    return list(links.values_list("user_id", flat=True))


def _accountmanagers_announce(traject: Traject, before: list[int], user) -> None:
    """Send `traject_changed` after commit when the set of accountmanagers changed."""
    after = _accountmanager_ids(traject)
    if set(after) != set(before):
        changes = {"accountmanagers": {"old": before, "new": after}}
        traject_changed_send(traject=traject, changes=changes, user=user)


def may_remove_accountmanager(*, user, accountmanager) -> bool:
    """Manual 4.6: an accountmanager removes only himself (hand over); a beheerder anyone."""
    return roles_of(user).beheerder or accountmanager.pk == user.pk


def may_change_note(*, note: DossierEntry, user) -> bool:
    """A note is edited or deleted by its author only."""
    return note.kind == DossierKind.NOTE and note.author_id == user.pk


def may_delete_appointment(*, appointment: Appointment, user) -> bool:
    """An appointment is removed by its owner or a beheerder."""
    return appointment.owner_id == user.pk or roles_of(user).beheerder


def dossier_log(
    *, traject: Traject, kind: str, author=None, text: str = "", **data
) -> DossierEntry:
    """Add one line to the traject's dossier (the audit trail). Inside a workflow's actions the
    line says so: no user as its author, the rule's name in data["workflow"]."""
    workflow = workflow_acting()
    if workflow:
        author, data = None, {**data, "workflow": workflow}
    return DossierEntry.objects.create(
        traject=traject, kind=kind, author=author, text=text, data=data
    )


@transaction.atomic
def traject_update(*, traject: Traject | int, user, changes: dict, loaded: dict | None = None):
    """Save changed Informatie fields; converts a lead on its accountmanager's first edit.

    `changes` maps field names to new values (ids or objects for relations); fields outside
    EDITABLE_FIELDS are ignored. `loaded` holds the values the form showed; a field changed by
    someone else since then raises TrajectConflict and nothing is saved (rule 9).
    """
    traject = _locked(traject, user)
    loaded = loaded or {}
    wanted = {
        field: _normalised(field, value)
        for field, value in changes.items()
        if field in EDITABLE_FIELDS
    }
    changed = {field for field, value in wanted.items() if _field_value(traject, field) != value}
    conflicts = [
        FieldConflict(field, _last_changer(traject, field), _display(traject, field))
        for field in sorted(changed)
        if field in loaded and _normalised(field, loaded[field]) != _field_value(traject, field)
    ]
    if conflicts:
        raise TrajectConflict(conflicts)
    if not changed:
        return traject

    # What the dossier says each changed field was: the fields asked, and those rule 6 may
    # change along (reading all of them would load every related row of the traject).
    before = {field: _display(traject, field) for field in changed | OUTCOME_FIELDS}
    old_values = {field: _field_value(traject, field) for field in changed | OUTCOME_FIELDS}
    old_stage, old_type, old_probability = traject.stage, traject.type, traject.probability
    for field in changed:
        setattr(traject, Traject._meta.get_field(field).attname, wanted[field])
    now = timezone.now()
    outcome_apply(
        traject=traject,
        old_stage=old_stage,
        old_type=old_type,
        old_probability=old_probability,
        changed=changed,
        now=now,
    )
    traject.full_clean(
        exclude=[f.name for f in Traject._meta.fields if f.name not in changed],
        validate_constraints=False,  # the field validators say the same beside the field
    )
    if traject.contact_id and traject.contact.relation_id != traject.relation_id:
        raise ValidationError({"contact": _("Deze contactpersoon hoort niet bij de relatie.")})

    update_fields = [Traject._meta.get_field(f).attname for f in changed]
    if "stage" in changed:
        # Days in stage count from here (issue 13); the board, quote acceptance and bulk
        # changes all come through this function.
        traject.stage_changed_at = now
        update_fields.append("stage_changed_at")
    if traject.converted_at is None and _is_assigned(traject, user):
        traject.converted_at = now
        update_fields.append("converted_at")
        dossier_log(traject=traject, kind=DossierKind.CONVERSION, author=user)
    traject.version = F("version") + 1
    traject.save(update_fields=[*update_fields, "version", "updated_at"])
    traject.refresh_from_db(fields=["version"])
    if "expected_close" in changed:
        traject.accountmanager_links.update(expected_close=traject.expected_close)
    announced = {}
    for field, old in old_values.items():
        new = _field_value(traject, field)
        if new != old:
            announced[field] = {"old": old, "new": new}
    traject_changed_send(traject=traject, changes=announced, user=user)
    for field in sorted(changed.intersection(EDITABLE_FIELDS)):
        dossier_log(
            traject=traject,
            kind=FIELD_KINDS.get(field, DossierKind.FIELD_CHANGE),
            author=user,
            field=field,
            old=before[field],
            new=_display(traject, field),
        )
    return traject


def traject_stage_changed_at_refresh(*, batch_size: int = 50_000) -> int:
    """Set every traject's stage_changed_at from its history (what migration 0014 did for the
    rows before it): the latest stage change in its dossier, else its conversion, else its
    lead date. For writers that make history without the services (the demo seed); returns
    the rows written, in batches of ids, each its own transaction."""
    latest_change = (
        DossierEntry.objects.filter(traject_id=OuterRef("pk"), kind=DossierKind.STAGE_CHANGE)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    if connection.vendor == "postgresql":
        midnight = Cast(F("lead_date"), DateTimeField())
    else:  # SQLite keeps moments as text; CAST would make the date a number
        midnight = Concat(F("lead_date"), Value(" 00:00:00"), output_field=CharField())
    moment = Coalesce(
        Subquery(latest_change, output_field=DateTimeField()),
        F("converted_at"),
        midnight,
        output_field=DateTimeField(),
    )
    bounds = Traject.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return 0
    done = 0
    for start in range(bounds["first"], bounds["last"] + 1, batch_size):
        with transaction.atomic():
            batch = Traject.objects.filter(pk__gte=start, pk__lt=start + batch_size)
            done += batch.update(stage_changed_at=moment)
    return done


def traject_counts_refresh(*, traject_ids: Iterable[int]) -> None:
    """Recompute the stored accountmanager count of the given trajects and the positions of
    their links (who gets the remainder cents of a split, DESIGN rule 4) from the link table."""
    traject_ids = list(traject_ids)
    links = (
        TrajectAccountmanager.objects.filter(traject=OuterRef("pk"))
        .values("traject")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Traject.objects.filter(pk__in=traject_ids).update(
        accountmanager_count=Coalesce(Subquery(links), 0)
    )
    earlier = (
        TrajectAccountmanager.objects.filter(traject=OuterRef("traject"), pk__lt=OuterRef("pk"))
        .values("traject")
        .annotate(n=Count("pk"))
        .values("n")
    )
    TrajectAccountmanager.objects.filter(traject_id__in=traject_ids).update(
        position=Coalesce(Subquery(earlier), 0)
    )


@transaction.atomic
def traject_accountmanagers_set(
    *, traject: Traject, users: Iterable, by=None, log: bool = True
) -> Traject:
    """Make exactly these users the traject's accountmanagers (intake, distribution, imports).

    A bulk path like any other: a change of the set is written to the dossier, old → new, by
    `by`. The very first assignment of a new record without `by` (seeding, factories) is
    its creation, not a change, and writes nothing; so does `log=False` (a creation that writes
    its own dossier entry).
    """
    wanted = {user.pk: user for user in users}
    before_ids = _accountmanager_ids(traject)
    before = list(
        TrajectAccountmanager.objects.filter(traject=traject)
        .select_related("user")
        .order_by("user_id")
    )
    existing = {link.user_id for link in before}
    TrajectAccountmanager.objects.filter(traject=traject).exclude(user_id__in=wanted).delete()
    TrajectAccountmanager.objects.bulk_create(
        TrajectAccountmanager(
            traject=traject, user=user, expected_close=traject.expected_close, added_by=by
        )
        for pk, user in wanted.items()
        if pk not in existing
    )
    traject_counts_refresh(traject_ids=[traject.pk])
    traject.refresh_from_db(fields=["accountmanager_count"])
    _accountmanagers_announce(traject, before_ids, by)
    if log and existing != set(wanted) and (existing or by is not None):
        dossier_log(
            traject=traject,
            kind=DossierKind.SHARE,
            author=by,
            field="accountmanagers",
            old=", ".join(person_name(link.user) for link in before) or "–",
            new=", ".join(person_name(wanted[pk]) for pk in sorted(wanted)) or "–",
        )
    return traject


@transaction.atomic
def traject_bulk_update(*, traject_ids: Iterable[int], user, changes: dict) -> list[Traject]:
    """Apply the same changes to many trajects (bulk actions, imports), each audited.

    Every traject goes through traject_update, so conversion, outcome rules, validation and
    the dossier entries are exactly those of a single edit; one failure saves nothing.
    Trajects the user may not see raise Traject.DoesNotExist.
    """
    return [
        traject_update(traject=pk, user=user, changes=changes) for pk in sorted(set(traject_ids))
    ]


@transaction.atomic
def traject_accountmanager_add(
    *, traject: Traject | int, user, accountmanager, announce: bool = True
) -> Traject:
    """Share: an assigned accountmanager or a beheerder adds another accountmanager.

    Sends `traject_changed` after commit unless `announce` is off (a hand-over sends one)."""
    traject = _locked(traject, user)
    if not accountmanagers().filter(pk=accountmanager.pk).exists():
        raise ValidationError(
            {"accountmanager": _("Alleen actieve accountmanagers kunnen worden toegevoegd.")}
        )
    if not roles_of(user).beheerder and not _is_assigned(traject, user):
        raise PermissionDenied(_("Alleen een accountmanager van dit traject kan het delen."))
    _link, created = TrajectAccountmanager.objects.get_or_create(
        traject=traject,
        user=accountmanager,
        defaults={"expected_close": traject.expected_close, "added_by": user},
    )
    if created:
        before = [pk for pk in _accountmanager_ids(traject) if pk != accountmanager.pk]
        traject_counts_refresh(traject_ids=[traject.pk])
        if announce:
            _accountmanagers_announce(traject, before, user)
        dossier_log(
            traject=traject,
            kind=DossierKind.SHARE,
            author=user,
            added=accountmanager.pk,
            name=person_name(accountmanager),
        )
    traject.refresh_from_db(fields=["accountmanager_count"])
    return traject


@transaction.atomic
def traject_accountmanager_remove(
    *, traject: Traject | int, user, accountmanager, announce: bool = True
) -> Traject:
    """Hand over (remove oneself) or, for a beheerder, remove anyone; never the last one.

    Sends `traject_changed` after commit unless `announce` is off (a hand-over sends one)."""
    traject = _locked(traject, user)
    if not may_remove_accountmanager(user=user, accountmanager=accountmanager):
        raise PermissionDenied(
            _("U kunt alleen uzelf van dit traject halen; een beheerder kan anderen verwijderen.")
        )
    link = TrajectAccountmanager.objects.filter(traject=traject, user=accountmanager).first()
    if link is None:
        raise ValidationError(
            {"accountmanager": _("Deze accountmanager staat niet op het traject.")}
        )
    if traject.accountmanager_links.count() <= 1:
        raise ValidationError(
            {
                "accountmanager": _(
                    "Een traject houdt minstens één accountmanager: voeg eerst de nieuwe toe."
                )
            }
        )
    before = _accountmanager_ids(traject)
    link.delete()
    traject_counts_refresh(traject_ids=[traject.pk])
    if announce:
        _accountmanagers_announce(traject, before, user)
    dossier_log(
        traject=traject,
        kind=DossierKind.SHARE,
        author=user,
        removed=accountmanager.pk,
        name=person_name(accountmanager),
    )
    traject.refresh_from_db(fields=["accountmanager_count"])
    return traject


@transaction.atomic
def traject_hand_over(*, traject: Traject | int, user, accountmanager) -> Traject:
    """Hand over (manual 4.6): add the new accountmanager and take oneself off, in one step;
    one `traject_changed` after commit."""
    traject = _locked(traject, user)
    if accountmanager.pk == user.pk:
        raise ValidationError(
            {"accountmanager": _("Kies een andere accountmanager om aan over te dragen.")}
        )
    if not _is_assigned(traject, user):
        raise ValidationError(
            {"accountmanager": _("U staat niet op dit traject en kunt het dus niet overdragen.")}
        )
    before = _accountmanager_ids(traject)
    traject = traject_accountmanager_add(
        traject=traject, user=user, accountmanager=accountmanager, announce=False
    )
    traject = traject_accountmanager_remove(
        traject=traject, user=user, accountmanager=user, announce=False
    )
    # One change, old → new: the new accountmanager is the one who takes the user's place.
    _accountmanagers_announce(traject, before, user)
    return traject


@transaction.atomic
def traject_appointment_create(
    *,
    traject: Traject | int,
    user,
    start: datetime.datetime,
    kind: str = AppointmentKind.VISIT,
    contact=None,
    subject: str = "",
) -> Appointment:
    """Plan an appointment from the traject's dossier; the first one sets 'Datum 1e bezoek'.

    Rule 8: only the first appointment an assigned accountmanager makes for the traject's
    contact while it is a traject sets the date; later ones do not move it.
    """
    traject = _locked(traject, user)
    contact = contact or traject.contact
    if contact is not None and contact.relation_id != traject.relation_id:
        raise ValidationError({"contact": _("Deze contactpersoon hoort niet bij de relatie.")})
    appointment = Appointment.objects.create(
        owner=user, contact=contact, traject=traject, start=start, kind=kind, subject=subject
    )
    update = {}
    if kind == AppointmentKind.VISIT:
        update["visit_count"] = F("visit_count") + 1
    # Why the date was not set, when only the contact stood in the way (the form says so).
    appointment.first_visit_other_contact = False
    if (
        traject.first_visit_on is None
        and traject.converted_at is not None
        and _is_assigned(traject, user)
    ):
        if contact is not None and contact.pk == traject.contact_id:
            update["first_visit_on"] = timezone.localdate(start)
        else:
            appointment.first_visit_other_contact = True
    if update:
        Traject.objects.filter(pk=traject.pk).update(**update)
        _counts_announce(traject, update, user)
    dossier_log(
        traject=traject,
        kind=DossierKind.APPOINTMENT,
        author=user,
        text=subject,
        appointment=appointment.pk,
        start=start.isoformat(),
        appointment_kind=kind,
    )
    return appointment


def _counts_announce(traject: Traject, update: dict, user) -> None:
    """traject_changed for an appointment's .update() of the visit count and first visit date
    (`traject` holds the values from before it)."""
    after = Traject.objects.filter(pk=traject.pk).values(*update).get()
    changes = {
        field: {"old": getattr(traject, field), "new": after[field]}
        for field in update
        if after[field] != getattr(traject, field)
    }
    traject_changed_send(traject=traject, changes=changes, user=user)


def _first_visit_appointments(traject: Traject):
    """The appointments that may set 'Datum 1e bezoek' (rule 8), the first made first: for the
    traject's contact, by one of its accountmanagers, made while it was a traject."""
    if traject.converted_at is None or traject.contact_id is None:
        return Appointment.objects.none()
    return Appointment.objects.filter(
        traject=traject,
        contact_id=traject.contact_id,
        created_at__gte=traject.converted_at,
        owner__traject_links__traject=traject,
    ).order_by("created_at", "pk")


@transaction.atomic
def traject_appointment_delete(*, appointment: Appointment, user) -> None:
    """Remove an appointment (its owner or a beheerder); the visit count and, when this one set
    it, 'Datum 1e bezoek' follow (rule 8: the next qualifying appointment, or empty)."""
    if not may_delete_appointment(appointment=appointment, user=user):
        raise PermissionDenied(_("Alleen de eigenaar kan deze afspraak verwijderen."))
    if not appointment.traject_id:
        appointment.delete()
        return
    traject = Traject.objects.select_for_update(of=("self",)).get(pk=appointment.traject_id)
    qualifying = _first_visit_appointments(traject)
    first = qualifying.first()
    update = {}
    if appointment.kind == AppointmentKind.VISIT:
        update["visit_count"] = F("visit_count") - 1
    set_it = first is not None and first.pk == appointment.pk
    if set_it:
        following = qualifying.exclude(pk=appointment.pk).first()
        update["first_visit_on"] = timezone.localdate(following.start) if following else None
    dossier_log(
        traject=traject,
        kind=DossierKind.APPOINTMENT,
        author=user,
        action="deleted",
        appointment=appointment.pk,
        start=appointment.start.isoformat(),
        appointment_kind=appointment.kind,
        subject=appointment.subject,
        owner=person_name(appointment.owner),
    )
    appointment.delete()
    if update:
        Traject.objects.filter(pk=traject.pk).update(**update)
        _counts_announce(traject, update, user)
    if set_it and update["first_visit_on"] != traject.first_visit_on:
        before = _display(traject, "first_visit_on")
        traject.first_visit_on = update["first_visit_on"]
        dossier_log(
            traject=traject,
            kind=DossierKind.FIELD_CHANGE,
            author=user,
            field="first_visit_on",
            old=before,
            new=_display(traject, "first_visit_on"),
        )


@transaction.atomic
def dossier_note_add(*, traject: Traject | int, user, text: str) -> DossierEntry:
    """Add a note to the dossier; kept exactly as typed (templates escape it)."""
    traject = _locked(traject, user)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Een notitie mag niet leeg zijn.")})
    if len(text) > 20_000:
        raise ValidationError({"text": _("Een notitie is hooguit 20.000 tekens.")})
    return dossier_log(traject=traject, kind=DossierKind.NOTE, author=user, text=text)


@transaction.atomic
def dossier_note_update(*, note: DossierEntry, user, text: str) -> DossierEntry:
    """Change one's own note."""
    if not may_change_note(note=note, user=user):
        raise PermissionDenied(_("U kunt alleen uw eigen notities wijzigen."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Een notitie mag niet leeg zijn.")})
    if len(text) > 20_000:
        raise ValidationError({"text": _("Een notitie is hooguit 20.000 tekens.")})
    if text == note.text:
        return note
    dossier_log(
        traject=note.traject,
        kind=DossierKind.NOTE_EDITED,
        author=user,
        note=note.pk,
        old=note.text,
        new=text,
        written_at=note.created_at.isoformat(),
    )
    note.text = text
    note.save(update_fields=["text", "updated_at"])
    return note


@transaction.atomic
def dossier_note_delete(*, note: DossierEntry, user) -> None:
    """Delete one's own note."""
    if not may_change_note(note=note, user=user):
        raise PermissionDenied(_("U kunt alleen uw eigen notities verwijderen."))
    dossier_log(
        traject=note.traject,
        kind=DossierKind.NOTE_DELETED,
        author=user,
        note=note.pk,
        old=note.text,
        written_at=note.created_at.isoformat(),
    )
    note.delete()


@transaction.atomic
def traject_delete(*, traject: Traject | int, user) -> Traject:
    """Soft-delete: gone from every list and total at once; a beheerder restores it in 30 days."""
    traject = _locked(traject, user)
    traject.deleted_at = timezone.now()
    traject.deleted_by = user
    traject.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    deleted = {"deleted": {"old": False, "new": True}}
    traject_changed_send(traject=traject, changes=deleted, user=user)
    dossier_log(traject=traject, kind=DossierKind.DELETED, author=user)
    return traject


@transaction.atomic
def traject_restore(*, traject_id: int, user) -> Traject:
    """Bring back a deleted traject with everything on it (beheerders, within the retention)."""
    if not roles_of(user).beheerder:
        raise PermissionDenied(_("Alleen een sales beheerder kan trajecten herstellen."))
    traject = Traject.objects.select_for_update().get(
        pk=traject_id, deleted_at__gte=timezone.now() - RETENTION
    )
    traject.deleted_at = None
    traject.deleted_by = None
    traject.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    restored = {"deleted": {"old": True, "new": False}}
    traject_changed_send(traject=traject, changes=restored, user=user)
    dossier_log(traject=traject, kind=DossierKind.RESTORED, author=user)
    return traject


def _stored_files(collector: Collector) -> list[tuple]:
    """(storage, name) of every file a field of the collected records points at (quote PDFs)."""
    found = []
    for model, instances in collector.data.items():
        for field in model._meta.fields:
            if isinstance(field, FileField):
                found += [(field.storage, getattr(o, field.name).name) for o in instances]
    for queryset in collector.fast_deletes:
        for field in queryset.model._meta.fields:
            if isinstance(field, FileField):
                names = queryset.values_list(field.attname, flat=True)
                found += [(field.storage, name) for name in names]
    return [(storage, name) for storage, name in found if name]


def _files_delete(files: list[tuple]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError as exc:  # the purge stands; the file is left for the operator
            logger.warning("Purged file %s could not be deleted: %s", name, exc)


@transaction.atomic
def traject_purge(*, now: datetime.datetime | None = None) -> int:
    """Remove for good the trajects deleted longer ago than the retention; returns how many.

    Everything on them goes too, their stored files (quote PDFs) after the commit; a
    PurgedTraject line keeps which traject it was, who deleted it and when.
    """
    now = now or timezone.now()
    doomed = list(
        Traject.objects.filter(deleted_at__lt=now - RETENTION)
        .select_related("relation", "deleted_by")
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("pk")
    )
    for traject in doomed:
        collector = Collector(using=Traject.objects.db)
        collector.collect([traject])
        files = _stored_files(collector)
        record = PurgedTraject(
            traject_id=traject.pk,
            subject=traject.subject,
            relation_name=traject.relation.name,
            was_lead=traject.is_lead,
            deleted_at=traject.deleted_at,
            deleted_by=traject.deleted_by,
            deleted_by_name=person_name(traject.deleted_by) if traject.deleted_by else "",
            purged_at=now,
        )
        _total, per_model = collector.delete()
        record.removed = {
            "records": {label.lower(): n for label, n in sorted(per_model.items()) if n},
            "files": [name for _storage, name in files],
        }
        record.save()
        transaction.on_commit(lambda files=files: _files_delete(files))
    return len(doomed)


@transaction.atomic
def saved_view_save(
    *, user, name: str, columns: list[str], is_default: bool = False, overview: str = "trajects"
) -> SavedView:
    """Save the user's columns of one overview under a name (replacing a view of that name in
    that overview); maybe his default there."""
    if is_default:
        SavedView.objects.filter(user=user, overview=overview, is_default=True).exclude(
            name=name
        ).update(is_default=False)
    view, _created = SavedView.objects.update_or_create(
        user=user,
        overview=overview,
        name=name,
        defaults={"columns": list(columns), "is_default": is_default},
    )
    return view


@transaction.atomic
def saved_view_make_default(*, view: SavedView) -> SavedView:
    """Make this view its owner's default in its overview (the overview opens with it)."""
    SavedView.objects.filter(user=view.user_id, overview=view.overview, is_default=True).exclude(
        pk=view.pk
    ).update(is_default=False)
    view.is_default = True
    view.save(update_fields=["is_default"])
    return view


def saved_view_delete(*, view: SavedView) -> None:
    """Delete a saved view; the overview falls back to the standard columns."""
    view.delete()


@transaction.atomic
def export_job_create(*, user, query: str, export_format: str) -> ExportJob:
    """Queue a background export of the overview at this query string for this user.

    The same export asked again while it is still queued or running is that job, not a second.
    """
    from .tasks import export_job_run_task  # the task calls back into this module

    running = ExportJob.objects.of(user).unfinished().filter(query=query, format=export_format)
    job = running.order_by("-created_at").first()
    if job is not None:
        return job
    now = timezone.now()
    job = ExportJob.objects.create(
        user=user,
        query=query,
        format=export_format,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file=f"exports/{secrets.token_urlsafe(24)}.{export_format}",
        created_at=now,
        expires_at=now + EXPORT_LIFETIME,
    )
    transaction.on_commit(lambda: export_job_run_task.delay(job.pk))
    return job


@contextmanager
def _progress_reporter(job_id: int):
    """A function that records how many rows are written, seen by the progress page at once.

    The export reads in one long transaction; on PostgreSQL the progress goes through a second
    connection, so it is committed while that transaction runs.
    """
    if connection.vendor != "postgresql":
        yield lambda done: ExportJob.objects.filter(pk=job_id).update(rows_done=done)
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = connection.ops.quote_name(ExportJob._meta.db_table)

    def report(done: int) -> None:
        with side.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET rows_done = %s WHERE id = %s", [done, job_id])  # noqa: S608

    try:
        yield report
    finally:
        side.close()


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write an export job's file; safe to run twice (a finished job is left as it is, and two
    runs at once each write their own file and move it into place whole)."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_ready() or job.expires_at <= timezone.now():
        return job
    user = get_user_model().objects.get(pk=job.user_id)
    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(job.query)
    request.user = user
    part = job.path.with_name(f"{job.path.name}.{uuid.uuid4().hex}.part")
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        with translation.override(job.language):
            overview = overview_build(request, paginate=False)
            total = overview.queryset.count()
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.RUNNING, started_at=timezone.now(), rows_done=0,
                rows_total=total,
            )  # fmt: skip
            with _progress_reporter(job.pk) as progress, part.open("wb") as handle:
                done = export_write(overview, job.format, handle, progress)
        os.replace(part, job.path)
    except BaseException:
        part.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
        raise
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows_done=done, rows_total=done, finished_at=finished,
        expires_at=finished + EXPORT_LIFETIME,
    )  # fmt: skip
    job.refresh_from_db()
    return job


def export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete expired export jobs and their files, and files left by runs that died."""
    now = now or timezone.now()
    expired = ExportJob.objects.expired(now)
    for file in expired.values_list("file", flat=True):
        (Path(settings.MEDIA_ROOT) / file).unlink(missing_ok=True)
    count, _deleted = expired.delete()
    folder = Path(settings.MEDIA_ROOT) / "exports"
    if folder.is_dir():
        kept = {Path(file).name for file in ExportJob.objects.values_list("file", flat=True)}
        cutoff = (now - EXPORT_LIFETIME).timestamp()
        for path in folder.iterdir():
            if path.name not in kept and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
    return count


STATISTICS_LOCK = 0x5A1E5_0006  # the advisory-lock key of the statistics regeneration


@contextmanager
def _statistics_lock():
    """One regeneration at a time (PostgreSQL session lock; the database drops it with a lost
    connection). Waits STATISTICS_LOCK_TIMEOUT seconds, then raises OperationalError (the task
    retries). SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        yield
        return
    timeout_ms = int(settings.STATISTICS_LOCK_TIMEOUT * 1000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, false)", [f"{timeout_ms}ms"])
        try:
            cursor.execute("SELECT pg_advisory_lock(%s)", [STATISTICS_LOCK])
        finally:
            cursor.execute("RESET lock_timeout")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [STATISTICS_LOCK])
        except DatabaseError:
            pass  # the connection is gone, and the lock with it


def _pause_for_tests() -> None:
    """Tests only: while STATISTICS_TEST_PAUSE_FILE exists, hold the regeneration here (its new
    set written but not committed) and say so in '<file>.reached' with this process id."""
    path = settings.STATISTICS_TEST_PAUSE_FILE
    if not path:
        return
    Path(f"{path}.reached").write_text(str(os.getpid()))
    deadline = time.monotonic() + 300
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


def statistics_regenerate(
    *, request_number: int | None = None, progress: Callable[[int, int, str], None] | None = None
) -> StatisticsSet:
    """Compute every price-range statistic and swap the new set in for the old one.

    Safe to run twice or at once: a lock lets one regeneration work at a time, and a set that
    already covers `request_number` is kept. The set is read from one snapshot (repeatable read)
    and written, with the old sets deleted, in one transaction: readers see the old set or the
    new one, never half of one.
    """
    report = progress or (lambda done, total, step: None)
    with _statistics_lock():
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            started = timezone.now()
            regeneration = StatisticsRegeneration.objects.filter(pk=1).first()
            covers = regeneration.requested if regeneration else 0
            thresholds = ClientSettings.load().thresholds
            current = StatisticsSet.objects.for_thresholds(thresholds).first()
            if request_number is not None and current and current.request_number >= request_number:
                report(3, 3, "done")
                return current
            won_ids, lost_ids = statistics.closed_type_ids()
            report(0, 3, "overall")
            overall = list(statistics.overall_by_range(thresholds, won_ids, lost_ids))
            report(1, 3, "per_accountmanager")
            per_accountmanager = list(
                statistics.per_accountmanager_by_range(thresholds, won_ids, lost_ids)
            )
            report(2, 3, "write")
            new = StatisticsSet.objects.create(
                thresholds=thresholds_text(thresholds),
                request_number=covers,
                started_at=started,
                generated_at=timezone.now(),
            )
            ranges = new.ranges
            PriceRangeStatistic.objects.bulk_create(
                [statistics.statistic_from(row, ranges, new) for row in overall]
                + [
                    statistics.statistic_from(row, ranges, new, row["user_id"])
                    for row in per_accountmanager
                ],
                batch_size=1000,
            )
            _pause_for_tests()
            StatisticsSet.objects.exclude(pk=new.pk).delete()
        if outermost and connection.vendor == "postgresql":
            # Fresh planner estimates for the new rows: without them the overview's
            # "statistisch verwacht" join is planned as if the table held one row (40× slower).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {PriceRangeStatistic._meta.db_table}")
    report(3, 3, "done")
    return new


def statistics_discard() -> None:
    """Delete every statistic (the price ranges changed: they no longer mean anything)."""
    StatisticsSet.objects.all().delete()


@transaction.atomic
def statistics_regeneration_request(*, by=None) -> StatisticsRegeneration:
    """Ask for a regeneration now: counted in this transaction, queued to Celery on commit."""
    from .tasks import statistics_regenerate_task  # the task calls back into this module

    StatisticsRegeneration.objects.get_or_create(pk=1)
    task_id = str(uuid.uuid4())
    StatisticsRegeneration.objects.filter(pk=1).update(
        requested=F("requested") + 1,
        requested_at=timezone.now(),
        requested_by=by,
        task_id=task_id,
    )
    regeneration = StatisticsRegeneration.objects.get(pk=1)
    number = regeneration.requested
    transaction.on_commit(
        lambda: statistics_regenerate_task.apply_async(
            kwargs={"request_number": number}, task_id=task_id
        )
    )
    return regeneration
