"""Writes to the shared address book: every change is kept in the relation's history."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from settings_app.roles import roles_of

from .models import Contact, Relation, RelationChange

RELATION_FIELDS = ("name", "address", "postcode", "city", "phone", "website")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "function")


def may_edit_address_book(user) -> bool:
    """Everyone with a role (accountmanager, beheerder, key-user) keeps the address book."""
    roles = roles_of(user)
    return roles.accountmanager or roles.beheerder or roles.keyuser


def _check(user) -> None:
    if not may_edit_address_book(user):
        raise PermissionDenied(
            _("Alleen accountmanagers, sales beheerders en key-users wijzigen het adresboek.")
        )


def _apply(obj, fields, data: dict) -> list[tuple[str, str, str]]:
    """Set the changed fields on obj; (field, old, new) for each one that really changed."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        old, new = getattr(obj, name), data[name] if data[name] is not None else ""
        if str(old) != str(new):
            setattr(obj, name, new)
            changed.append((name, str(old), str(new)))
    return changed


@transaction.atomic
def relation_update(*, relation: Relation, user, data: dict) -> list[RelationChange]:
    """Change a relation's name and address data; one history row per changed field."""
    _check(user)
    relation = Relation.objects.select_for_update().get(pk=relation.pk)
    changed = _apply(relation, RELATION_FIELDS, data)
    if not changed:
        return []
    relation.full_clean()
    relation.save()
    return RelationChange.objects.bulk_create(
        RelationChange(relation=relation, changed_by=user, field=name, old_value=old, new_value=new)
        for name, old, new in changed
    )


@transaction.atomic
def relation_create(*, user, data: dict) -> Relation:
    """A new relation in the shared address book; its creation opens its history."""
    _check(user)
    relation = Relation(**{k: v for k, v in data.items() if k in RELATION_FIELDS})
    relation.full_clean()
    relation.save()
    RelationChange.objects.create(
        relation=relation, changed_by=user, field="name", new_value=relation.name
    )
    return relation


@transaction.atomic
def contact_create(*, relation: Relation, user, data: dict) -> Contact:
    """A new contact at the relation, written to the relation's history."""
    _check(user)
    contact = Contact(relation=relation, **{k: v for k, v in data.items() if k in CONTACT_FIELDS})
    contact.full_clean()
    contact.save()
    RelationChange.objects.create(
        relation=relation, contact=contact, changed_by=user, field="contact", new_value=str(contact)
    )
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, user, data: dict) -> list[RelationChange]:
    """Change a contact; one history row per changed field, on its relation's card."""
    _check(user)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    changed = _apply(contact, CONTACT_FIELDS, data)
    if not changed:
        return []
    contact.full_clean()
    contact.save()
    return RelationChange.objects.bulk_create(
        RelationChange(
            relation_id=contact.relation_id,
            contact=contact,
            changed_by=user,
            field=f"contact.{name}",
            old_value=old,
            new_value=new,
        )
        for name, old, new in changed
    )
