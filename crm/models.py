"""The agency's shared address book (relations, contacts) and the agenda (appointments)."""

import difflib
import re
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesmodule.ids import parse_id
from salesmodule.text import normalise
from salesmodule.visibility import VisibleQuerySet


class RelationQuerySet(models.QuerySet):
    def matching(self, text: str):
        """Relations whose name contains the text, ignoring case and accents."""
        needle = normalise(text)
        return self.filter(name_normalised__contains=needle) if needle else self

    def picker_options(self, query: str, selected_id, limit: int = 20) -> list["Relation"]:
        """The relation picker's choices: the chosen relation first, then up to `limit`
        matches of what was typed (never every relation)."""
        query = (query or "").strip()
        options = list(self.matching(query)[:limit]) if query else []
        selected = parse_id(selected_id)
        if selected and all(r.pk != selected for r in options):
            chosen = self.filter(pk=selected).first()
            if chosen:
                options.insert(0, chosen)
        return options

    def similar_to(self, name: str, limit: int = 5) -> list["Relation"]:
        """Relations whose name closely matches, best first ("Bestaat deze relatie al?").

        Legal forms and punctuation are ignored ("Otys B.V." matches "OTYS"); a shared word or
        trigram preselects in the database, difflib ranks in Python: the same on both databases.
        """
        core = name_core(name)
        if len(core) < 3:
            return []
        grams = {word for word in core.split() if len(word) >= 3}
        grams |= {core[i : i + 3] for i in range(len(core) - 2) if " " not in core[i : i + 3]}
        if not grams:
            return []
        wanted = reduce(or_, (Q(name_normalised__contains=gram) for gram in sorted(grams)[:40]))
        scored = []
        for pk, other_name in self.filter(wanted).values_list("pk", "name")[:CANDIDATES]:
            other = name_core(other_name)
            matcher = difflib.SequenceMatcher(None, core, other)
            contained = min(len(core), len(other)) >= 4 and (
                f" {core} " in f" {other} " or f" {other} " in f" {core} "
            )
            if contained:
                scored.append((-max(0.9, matcher.ratio()), pk))
            elif matcher.real_quick_ratio() >= SIMILARITY and matcher.quick_ratio() >= SIMILARITY:
                ratio = matcher.ratio()
                if ratio >= SIMILARITY:
                    scored.append((-ratio, pk))
        best = [pk for _score, pk in sorted(scored)[:limit]]
        found = self.model.objects.in_bulk(best)
        return [found[pk] for pk in best]


SIMILARITY = 0.8
CANDIDATES = 20_000
LEGAL_FORMS = re.compile(r"\b(bv|nv|vof|cv|ltd|gmbh|inc|llc)\b")


def name_core(name: str) -> str:
    """The distinctive part of a company name: normalised, no punctuation or legal form."""
    text = " ".join(re.sub(r"[^\w ]+", " ", normalise(name).replace(".", "")).split())
    return " ".join(LEGAL_FORMS.sub(" ", text).split()) or text


class Relation(models.Model):
    """A client company."""

    name = models.CharField(_("naam"), max_length=200)
    name_normalised = models.CharField(max_length=200, editable=False, db_index=True)
    address = models.CharField(_("adres"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    objects = RelationQuerySet.as_manager()

    class Meta:
        verbose_name = _("relatie")
        verbose_name_plural = _("relaties")
        ordering = ["name_normalised", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The normalised name is derived data, kept in step wherever a relation is saved.
        self.name_normalised = normalise(self.name)[:200]
        super().save(*args, **kwargs)


class Contact(models.Model):
    """A person at a relation."""

    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("relatie")
    )
    first_name = models.CharField(_("voornaam"), max_length=100, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    function = models.CharField(_("functie"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("contactpersoon")
        verbose_name_plural = _("contactpersonen")
        ordering = ["last_name", "first_name", "pk"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()


class RelationChangeQuerySet(models.QuerySet):
    def of(self, relation):
        """The changes to a relation and its contacts, newest first, with who made them."""
        return self.filter(relation=relation).select_related("changed_by", "contact")


class RelationChange(models.Model):
    """One field of the shared address book changed: who, when, old → new (the card's history).

    `contact` is set for a change to one of the relation's contacts (or its creation)."""

    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, related_name="changes", verbose_name=_("relatie")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contactpersoon"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("gewijzigd door"),
    )
    changed_at = models.DateTimeField(_("gewijzigd op"), default=timezone.now)
    field = models.CharField(_("veld"), max_length=40)
    old_value = models.TextField(_("oud"), blank=True)
    new_value = models.TextField(_("nieuw"), blank=True)

    objects = RelationChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("wijziging van een relatie")
        verbose_name_plural = _("wijzigingen van relaties")
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["relation", "-changed_at"], name="relationchange_relation_at")
        ]

    def __str__(self):
        return f"{self.field}: {self.old_value} → {self.new_value}"

    @property
    def field_label(self) -> str:
        """The changed field as the card names it ("Plaats", "Contactpersoon: E-mail")."""
        model = Contact if self.contact_id or self.field.startswith("contact") else Relation
        name = self.field.removeprefix("contact.")
        if name == "contact":
            return str(_("Contactpersoon toegevoegd"))
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a field that no longer exists keeps its code
            label = name
        label = label[:1].upper() + label[1:]
        if model is Contact:
            return f"{_('Contactpersoon')}: {label}"
        return label


class AppointmentKind(models.TextChoices):
    VISIT = "visit", _("Bezoek")
    CALL = "call", _("Telefoon")
    OTHER = "other", _("Overig")


class AppointmentQuerySet(VisibleQuerySet):
    traject_path = "traject"

    def visible_to(self, user):
        """The owner's appointments and those of every traject the user sees."""
        via_traject = super().visible_to(user).filter(traject__isnull=False)
        return self.filter(owner=user) | via_traject if user.is_authenticated else self.none()

    def visits(self):
        """Visit appointments, planned ones included."""
        return self.filter(kind=AppointmentKind.VISIT)


class Appointment(models.Model):
    """An agenda item; hung on a traject when planned from its dossier."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("eigenaar"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("contactpersoon"),
    )
    # A string reference: crm sits below trajects and never imports it.
    traject = models.ForeignKey(
        "trajects.Traject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("traject"),
    )
    start = models.DateTimeField(_("start"))
    kind = models.CharField(
        _("soort"), max_length=5, choices=AppointmentKind.choices, default=AppointmentKind.VISIT
    )
    subject = models.CharField(_("onderwerp"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["traject", "kind"], name="appointment_traject_kind"),
            models.Index(fields=["owner", "start"], name="appointment_owner_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["visit", "call", "other"]), name="appointment_kind_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"
