"""Writes on quotes: each a small function, one transaction, a dossier entry, the quote returned.

A quote the user may not see (its traject is not his) raises Quote.DoesNotExist: the view
answers 404. A step the quote's status does not allow raises QuoteStateError with a message.
Bad content raises ValidationError keyed by field ("lines" for the lines as a whole).
"""

import datetime
import logging
import secrets
import smtplib
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from settings_app.models import Outcome, PaymentTerm
from trajects.models import DossierKind, Traject
from trajects.outcomes import closed_type
from trajects.services import dossier_log, traject_update

from .amounts import calculate, line_amount
from .models import MAX_LINES, Quote, QuoteCounter, QuoteLine, QuoteStatus
from .pdf import quote_pdf_filename, quote_pdf_render

logger = logging.getLogger(__name__)

VALIDITY_DAYS = 30
QUOTE_FIELDS = (
    "title",
    "contact",
    "payment_term",
    "valid_until",
    "discount_percent",
    "opening_text",
    "closing_text",
)
LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "vat_rate")
TOTAL_FIELDS = ("subtotal", "discount_amount", "net_total", "vat_amount", "total")


class QuoteStateError(Exception):
    """The quote's status does not allow this step (e.g. changing a sent quote)."""


class QuoteEmailError(Exception):
    """The mail server refused or could not be reached; the quote itself is unchanged."""


def quote_defaults(*, traject: Traject, today: datetime.date | None = None) -> dict:
    """What a new quote form starts with: the traject's subject and contact, 30 days validity."""
    today = today or timezone.localdate()
    return {
        "title": traject.subject[:200],
        "contact": traject.contact if traject.contact_id else None,
        "payment_term": PaymentTerm.objects.active().first(),
        "valid_until": today + datetime.timedelta(days=VALIDITY_DAYS),
        "discount_percent": Decimal("0"),
    }


def _locked(quote: Quote | int, user) -> Quote:
    """The quote re-read under a row lock, if the user may see it (DoesNotExist otherwise)."""
    pk = quote.pk if isinstance(quote, Quote) else quote
    return (
        Quote.objects.visible_to(user)
        .select_for_update(of=("self",))
        .select_related("traject", "traject__relation", "contact", "payment_term")
        .get(pk=pk)
    )


def _label(quote: Quote) -> str:
    return quote.number or _("concept")


def _validated_lines(quote: Quote, lines: Sequence[dict]) -> list[QuoteLine]:
    """Line objects with their rounded amounts, checked by the model's own validators."""
    if not lines:
        raise ValidationError({"lines": _("Voeg minstens één regel toe.")})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {"lines": _("Een offerte heeft hooguit %(max)d regels.") % {"max": MAX_LINES}}
        )
    objects = []
    for position, data in enumerate(lines, start=1):
        line = QuoteLine(quote=quote, position=position, **{f: data.get(f) for f in LINE_FIELDS})
        line.unit = line.unit or ""
        try:
            line.full_clean(exclude=["quote", "amount"], validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "lines": _("Regel %(n)d: %(errors)s")
                    % {"n": position, "errors": " ".join(exc.messages)}
                }
            ) from exc
        if line.quantity <= 0:
            raise ValidationError(
                {"lines": _("Regel %(n)d: het aantal moet groter dan 0 zijn.") % {"n": position}}
            )
        if line.unit_price < 0:
            raise ValidationError(
                {"lines": _("Regel %(n)d: de prijs kan niet negatief zijn.") % {"n": position}}
            )
        line.amount = line_amount(line.quantity, line.unit_price)
        objects.append(line)
    return objects


def _apply(quote: Quote, fields: dict, lines: Sequence[dict]) -> list[QuoteLine]:
    """Set the quote's fields, check them and its lines, store the computed totals on it."""
    for name in QUOTE_FIELDS:
        if name in fields:
            setattr(quote, name, fields[name])
    quote.opening_text = quote.opening_text or ""
    quote.closing_text = quote.closing_text or ""
    if quote.discount_percent in (None, ""):
        quote.discount_percent = Decimal("0")
    quote.full_clean(exclude=["traject", "created_by"], validate_constraints=False)
    if quote.contact_id and quote.contact.relation_id != quote.traject.relation_id:
        raise ValidationError(
            {"contact": _("Deze contactpersoon hoort niet bij de relatie van het traject.")}
        )
    if not quote.payment_term.active and (
        quote.pk is None
        or not Quote.objects.filter(pk=quote.pk, payment_term=quote.payment_term).exists()
    ):
        raise ValidationError({"payment_term": _("Deze betaalconditie is niet meer beschikbaar.")})
    line_objects = _validated_lines(quote, lines)
    totals = calculate(
        ((line.amount, line.vat_rate) for line in line_objects), quote.discount_percent
    )
    for name, value in totals.as_fields().items():
        setattr(quote, name, value)
    return line_objects


def _save_lines(quote: Quote, line_objects: list[QuoteLine]) -> None:
    quote.lines.all().delete()
    for line in line_objects:
        line.quote = quote
    QuoteLine.objects.bulk_create(line_objects)


@transaction.atomic
def quote_create(*, traject: Traject | int, user, fields: dict, lines: Sequence[dict]) -> Quote:
    """A new concept quote on a traject the user may see (Traject.DoesNotExist otherwise)."""
    pk = traject.pk if isinstance(traject, Traject) else traject
    traject = Traject.objects.visible_to(user).select_related("relation").get(pk=pk)
    quote = Quote(traject=traject, created_by=user)
    line_objects = _apply(quote, fields, lines)
    quote.save()
    _save_lines(quote, line_objects)
    dossier_log(
        traject=traject,
        kind=DossierKind.QUOTE,
        author=user,
        quote=quote.pk,
        action="created",
        title=quote.title,
    )
    return quote


@transaction.atomic
def quote_update(*, quote: Quote | int, user, fields: dict, lines: Sequence[dict]) -> Quote:
    """Change a concept; a sent quote is frozen (make a new version instead)."""
    quote = _locked(quote, user)
    if quote.is_frozen:
        raise QuoteStateError(
            _("Offerte %(number)s is verzonden en ligt vast: maak een nieuwe versie.")
            % {"number": quote.number}
        )
    line_objects = _apply(quote, fields, lines)
    quote.save()
    _save_lines(quote, line_objects)
    return quote


def _next_sequence(year: int) -> int:
    """The next number of the year, taken under a row lock that is held until commit.

    The counter row is created on the year's first quote (a conflicting insert by a concurrent
    sender is ignored, then both wait on the lock), so numbers are unique and, because a
    rolled-back send rolls the counter back too, gap-free.
    """
    QuoteCounter.objects.bulk_create([QuoteCounter(year=year, last=0)], ignore_conflicts=True)
    counter = QuoteCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _store_pdf(quote: Quote, content: bytes | None = None) -> str:
    """Render and store the PDF under MEDIA_ROOT; the random part keeps the name unguessable."""
    content = content if content is not None else quote_pdf_render(quote)
    name = f"quotes/{quote.year}/{quote.number}-{secrets.token_hex(8)}.pdf"
    return default_storage.save(name, ContentFile(content))


@transaction.atomic
def quote_send(*, quote: Quote | int, user) -> Quote:
    """Fix a concept as sent: number it, freeze it, store its PDF and file it in the dossier.

    The first send of a quote takes the next number of the year (2026-0001); a later version
    keeps its number with the version suffix (2026-0001-2) and replaces the earlier versions.
    """
    quote = _locked(quote, user)
    if not quote.is_concept:
        raise QuoteStateError(_("Offerte %(number)s is al verzonden.") % {"number": quote.number})
    if not quote.lines.exists():
        raise QuoteStateError(_("Een offerte zonder regels kan niet worden verzonden."))
    now = timezone.now()
    quote.quote_date = timezone.localdate(now)
    if quote.sequence is None:
        quote.year = quote.quote_date.year
        quote.sequence = _next_sequence(quote.year)
    quote.status = QuoteStatus.SENT
    quote.sent_at, quote.sent_by = now, user
    quote.save()
    superseded = (
        Quote.objects.versions_of(quote)
        .exclude(pk=quote.pk)
        .in_status(QuoteStatus.SENT)
        .update(status=QuoteStatus.SUPERSEDED, updated_at=now)
    )
    stored = _store_pdf(quote)
    try:
        quote.pdf.name = stored
        quote.save(update_fields=["pdf"])
        dossier_log(
            traject=quote.traject,
            kind=DossierKind.QUOTE,
            author=user,
            quote=quote.pk,
            number=quote.number,
            action="sent",
            title=quote.title,
            pdf=stored,
            total=str(quote.total),
            superseded=superseded,
        )
    except Exception:
        default_storage.delete(stored)
        raise
    return quote


def quote_pdf_bytes(*, quote: Quote) -> bytes:
    """The PDF of a quote: the stored document of a sent one, a fresh rendering of a concept.

    A sent quote whose stored file went missing is rendered again from its frozen content
    and stored anew, so the user never meets an error page.
    """
    if quote.is_concept:
        return quote_pdf_render(quote)
    if quote.pdf:
        try:
            with quote.pdf.open("rb") as handle:
                return handle.read()
        except OSError:
            logger.warning("PDF of quote %s is missing; rendering it again", quote.pk)
    content = quote_pdf_render(quote)
    quote.pdf.name = _store_pdf(quote, content)
    Quote.objects.filter(pk=quote.pk).update(pdf=quote.pdf.name)
    return content


def _clean_email(to: str, subject: str) -> tuple[str, str]:
    to = (to or "").strip()
    subject = " ".join((subject or "").split())  # no line breaks: no header injection
    errors = {}
    try:
        validate_email(to)
    except ValidationError:
        errors["to"] = _("Vul een geldig e-mailadres in.")
    if not subject:
        errors["subject"] = _("Vul een onderwerp in.")
    if errors:
        raise ValidationError(errors)
    return to, subject


def quote_email(*, quote: Quote | int, user, to: str, subject: str, message: str) -> Quote:
    """Send the quote's PDF by e-mail (a concept is sent, i.e. numbered, first); log it.

    The numbering commits before the mail goes out so that a slow or failing mail server
    never holds the number lock; when the mail fails, the quote stays sent and the user can
    send the e-mail again.
    """
    to, subject = _clean_email(to, subject)
    pk = quote.pk if isinstance(quote, Quote) else quote
    quote = Quote.objects.visible_to(user).select_related("traject").get(pk=pk)
    if quote.status == QuoteStatus.SUPERSEDED:
        raise QuoteStateError(_("Deze versie is vervangen door een nieuwere; stuur die."))
    if quote.is_concept:
        quote = quote_send(quote=quote, user=user)
    content = quote_pdf_bytes(quote=quote)
    with translation.override(settings.LANGUAGE_CODE):
        filename = quote_pdf_filename(quote)
    email = EmailMessage(
        subject=subject,
        body=message or "",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[user.email] if user.email else None,
    )
    email.attach(filename, content, "application/pdf")
    try:
        email.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Quote %s could not be e-mailed to %s: %s", quote.pk, to, exc)
        raise QuoteEmailError(
            _("De e-mail kon niet worden verzonden (%(error)s). Probeer het later opnieuw.")
            % {"error": exc.__class__.__name__}
        ) from exc
    dossier_log(
        traject=quote.traject,
        kind=DossierKind.EMAIL,
        author=user,
        text=subject,
        to=to,
        quote=quote.pk,
        number=quote.number,
        attachment=filename,
        body=message or "",
    )
    return quote


@transaction.atomic
def quote_accept(
    *,
    quote: Quote | int,
    user,
    set_order: bool = True,
    win_loss_reason=None,
    loaded: dict | None = None,
) -> Quote:
    """Mark a sent quote accepted; optionally make the traject an Order worth the quote's net
    total (after discount, before VAT: waarde is the deal's value without VAT).

    The traject goes through trajects.services.traject_update, so the won/lost-reason rule
    (DESIGN rule 6) and the per-field conflict check apply; their errors roll everything back.
    """
    quote = _locked(quote, user)
    if not quote.can_decide:
        raise QuoteStateError(_("Alleen een verzonden offerte kan worden geaccepteerd."))
    now = timezone.now()
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at, quote.decided_by = now, user
    quote.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    if set_order:
        order = closed_type(Outcome.WON)
        if order is None:
            raise ValidationError({"set_order": _("Er is geen actief type met uitkomst gewonnen.")})
        changes = {"type": order, "value": quote.net_total}
        if win_loss_reason is not None:
            changes["win_loss_reason"] = win_loss_reason
        traject_update(traject=quote.traject_id, user=user, changes=changes, loaded=loaded)
    dossier_log(
        traject=quote.traject,
        kind=DossierKind.QUOTE,
        author=user,
        quote=quote.pk,
        number=quote.number,
        action="accepted",
        set_order=set_order,
    )
    return quote


@transaction.atomic
def quote_reject(*, quote: Quote | int, user) -> Quote:
    """Mark a sent quote rejected by the client (a new version can still follow)."""
    quote = _locked(quote, user)
    if not quote.can_decide:
        raise QuoteStateError(_("Alleen een verzonden offerte kan worden afgewezen."))
    quote.status = QuoteStatus.REJECTED
    quote.decided_at, quote.decided_by = timezone.now(), user
    quote.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    dossier_log(
        traject=quote.traject,
        kind=DossierKind.QUOTE,
        author=user,
        quote=quote.pk,
        number=quote.number,
        action="rejected",
    )
    return quote


@transaction.atomic
def quote_revise(*, quote: Quote | int, user) -> Quote:
    """A new concept version of a sent or rejected quote, with the same number and lines.

    When a concept version already exists, that one is returned: one draft per number.
    """
    quote = _locked(quote, user)
    if not quote.can_revise:
        raise QuoteStateError(
            _("Van een offerte met status '%(status)s' kan geen nieuwe versie worden gemaakt.")
            % {"status": quote.get_status_display()}
        )
    versions = Quote.objects.versions_of(quote)
    draft = versions.in_status(QuoteStatus.CONCEPT).first()
    if draft is not None:
        return draft
    new = Quote(
        traject=quote.traject,
        created_by=user,
        year=quote.year,
        sequence=quote.sequence,
        version=max(v.version for v in versions) + 1,
        previous=quote,
        **{name: getattr(quote, name) for name in (*QUOTE_FIELDS, *TOTAL_FIELDS)},
    )
    new.valid_until = max(
        quote.valid_until, timezone.localdate() + datetime.timedelta(days=VALIDITY_DAYS)
    )
    new.save()
    QuoteLine.objects.bulk_create(
        QuoteLine(quote=new, **{f: getattr(line, f) for f in (*LINE_FIELDS, "position", "amount")})
        for line in quote.lines.all()
    )
    dossier_log(
        traject=quote.traject,
        kind=DossierKind.QUOTE,
        author=user,
        quote=new.pk,
        number=new.number,
        action="revised",
        previous=quote.number,
    )
    return new


@transaction.atomic
def quote_delete(*, quote: Quote | int, user) -> None:
    """Throw away a concept; a sent quote is part of the record and stays."""
    quote = _locked(quote, user)
    if quote.is_frozen:
        raise QuoteStateError(_("Een verzonden offerte kan niet worden verwijderd."))
    dossier_log(
        traject=quote.traject,
        kind=DossierKind.QUOTE,
        author=user,
        action="deleted",
        title=quote.title,
    )
    quote.delete()
