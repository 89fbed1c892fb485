"""Pages of the quotes app: the quote form with live totals, detail, PDF, e-mail, decisions, list.

Every quote is looked up through Quote.objects.visible_to(user): a quote on a traject the
user may not see answers 404, whatever the action.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesmodule.htmx import render_page
from settings_app.models import ClientSettings
from settings_app.roles import person_name
from trajects.models import Traject
from trajects.outcomes import reason_required
from trajects.services import TrajectConflict

from . import services
from .amounts import calculate
from .forms import LINES_PREFIX, QuoteAcceptForm, QuoteEmailForm, QuoteForm, QuoteLineFormSet
from .models import MAX_LINES, Quote, QuoteStatus
from .pdf import quote_pdf_filename

LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "vat_rate")


def _quote_or_404(request, pk: int) -> Quote:
    return get_object_or_404(
        Quote.objects.visible_to(request.user).select_related(
            "traject", "traject__relation", "traject__type", "contact", "payment_term"
        ),
        pk=pk,
    )


def _add_errors(exc: ValidationError, form, formset=None) -> None:
    """Put a service's ValidationError beside the field it names, else above the form."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        for message in field_messages:
            if field == "lines" and formset is not None:
                formset._non_form_errors.append(message)
            elif field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, message)


def _without_row(data, prefix: str):
    """The posted data less one line's fields (the row the user removed)."""
    data = data.copy()
    for key in [key for key in data if key.startswith(f"{prefix}-")]:
        del data[key]
    return data


def _renumbered(data, *, skip: str = "", add: bool = False):
    """Without JavaScript: the posted lines numbered 0..n-1 again, one dropped or one added."""
    try:
        total = min(int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS", 0)), MAX_LINES * 10)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        prefix = f"{LINES_PREFIX}-{index}"
        keys = [f"{prefix}-{name}" for name in LINE_FIELDS]
        if prefix != skip and any(key in data for key in keys):
            rows.append([data.get(key, "") for key in keys])
    if add and len(rows) < MAX_LINES:
        rows.append(["", "", "", "", "21"])
    result = data.copy()
    for key in [key for key in result if key.startswith(f"{LINES_PREFIX}-")]:
        del result[key]
    result[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(len(rows))
    result[f"{LINES_PREFIX}-INITIAL_FORMS"] = "0"
    for index, row in enumerate(rows):
        for name, value in zip(LINE_FIELDS, row, strict=True):
            result[f"{LINES_PREFIX}-{index}-{name}"] = value
    return result


def _form_context(request, *, traject, quote, form, lines) -> dict:
    return {
        "traject": traject,
        "quote": quote,
        "form": form,
        "lines": lines,
        "totals": lines.live_totals(form.discount_or_zero()),
        "max_lines": MAX_LINES,
    }


def _htmx_op(request, op: str, *, traject, quote, form, lines):
    """An in-place step of the form: recalculate, add a line, remove a line (htmx)."""
    if op == "add":
        index = lines.total_form_count()
        if len(lines.forms) >= MAX_LINES or index >= MAX_LINES * 10:
            message = _("Een offerte heeft hooguit %(max)d regels.") % {"max": MAX_LINES}
            return HttpResponse(
                f'<p id="lines-message" class="error" hx-swap-oob="true">{message}</p>'
            )
        new_line = QuoteLineFormSet(prefix=LINES_PREFIX).empty_form
        new_line.prefix = f"{LINES_PREFIX}-{index}"
        html = render_to_string(
            "quotes/quote_form.html#line-row", {"line": new_line}, request=request
        )
        html += (
            f'<input type="hidden" name="{LINES_PREFIX}-TOTAL_FORMS" value="{index + 1}" '
            f'id="id_{LINES_PREFIX}-TOTAL_FORMS" hx-swap-oob="true">'
        )
        return HttpResponse(html)
    context = _form_context(request, traject=traject, quote=quote, form=form, lines=lines)
    # Removing: the row itself is swapped for nothing and the totals come out of band.
    context["totals_oob"] = op.startswith("remove-")
    context["removed"] = op.removeprefix("remove-") if op.startswith("remove-") else None
    html = render_to_string("quotes/quote_form.html#totals", context, request=request)
    html += render_to_string("quotes/quote_form.html#line-amounts", context, request=request)
    return HttpResponse(html)


def _quote_form(request, *, traject: Traject, quote: Quote | None):
    if request.method == "POST":
        op = request.POST.get("op", "")
        removing = op.removeprefix("remove-") if op.startswith("remove-") else ""
        if op and request.htmx:
            # In place: the browser keeps its row numbers; a removed row just lacks its fields.
            data = _without_row(request.POST, removing) if removing else request.POST
            form = QuoteForm(data, instance=quote, traject=traject)
            lines = QuoteLineFormSet(data, prefix=LINES_PREFIX)
            return _htmx_op(request, op, traject=traject, quote=quote, form=form, lines=lines)
        data = request.POST
        if op:
            data = _renumbered(request.POST, skip=removing, add=op == "add")
        form = QuoteForm(data, instance=quote, traject=traject)
        lines = QuoteLineFormSet(data, prefix=LINES_PREFIX)
        if not op and form.is_valid() and lines.is_valid():
            try:
                if quote is None:
                    quote = services.quote_create(
                        traject=traject,
                        user=request.user,
                        fields=form.cleaned_data,
                        lines=lines.lines(),
                    )
                    messages.success(request, _("Offerte aangemaakt als concept."))
                else:
                    services.quote_update(
                        quote=quote,
                        user=request.user,
                        fields=form.cleaned_data,
                        lines=lines.lines(),
                    )
                    messages.success(request, _("Offerte bewaard."))
                return redirect("quotes:detail", quote.pk)
            except services.QuoteStateError as exc:
                messages.error(request, str(exc))
                return redirect("quotes:detail", quote.pk)
            except ValidationError as exc:
                _add_errors(exc, form, lines)
    elif quote is None:
        form = QuoteForm(initial=services.quote_defaults(traject=traject), traject=traject)
        lines = QuoteLineFormSet(initial=[{"vat_rate": 21}], prefix=LINES_PREFIX)
    else:
        form = QuoteForm(instance=quote, traject=traject)
        lines = QuoteLineFormSet(
            initial=list(quote.lines.values(*LINE_FIELDS)), prefix=LINES_PREFIX
        )
    context = _form_context(request, traject=traject, quote=quote, form=form, lines=lines)
    return render(request, "quotes/quote_form.html", context)


@require_http_methods(["GET", "POST"])
def quote_create(request, traject_pk: int):
    """'Offerte' on the traject page: a new quote to the traject's relation."""
    traject = get_object_or_404(
        Traject.objects.visible_to(request.user).select_related("relation", "contact"),
        pk=traject_pk,
    )
    return _quote_form(request, traject=traject, quote=None)


@require_http_methods(["GET", "POST"])
def quote_edit(request, pk: int):
    """Change a concept; a sent quote is frozen and sends the user to its detail page."""
    quote = _quote_or_404(request, pk)
    if quote.is_frozen:
        messages.error(
            request,
            _("Offerte %(number)s is verzonden en ligt vast: maak een nieuwe versie.")
            % {"number": quote.number},
        )
        return redirect("quotes:detail", quote.pk)
    return _quote_form(request, traject=quote.traject, quote=quote)


@require_GET
def quote_detail(request, pk: int):
    """One quote: its content, totals, versions and the actions its status allows."""
    quote = _quote_or_404(request, pk)
    context = {
        "quote": quote,
        "traject": quote.traject,
        "lines": quote.lines.all(),
        "versions": Quote.objects.visible_to(request.user)
        .versions_of(quote)
        .only("pk", "year", "sequence", "version", "status", "total", "created_at"),
        "rates": calculate(
            ((line.amount, line.vat_rate) for line in quote.lines.all()), quote.discount_percent
        ).rates,
    }
    return render(request, "quotes/quote_detail.html", context)


def _pdf_response(request, pk: int, *, disposition: str) -> HttpResponse:
    quote = _quote_or_404(request, pk)
    content = services.quote_pdf_bytes(quote=quote)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{quote_pdf_filename(quote)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@xframe_options_sameorigin
def quote_pdf(request, pk: int):
    """Preview: the PDF shown in the browser (a concept is rendered fresh, marked 'Concept')."""
    return _pdf_response(request, pk, disposition="inline")


@require_GET
def quote_download(request, pk: int):
    """Download the PDF."""
    return _pdf_response(request, pk, disposition="attachment")


def _state_step(request, pk: int, step, success: str):
    quote = _quote_or_404(request, pk)
    try:
        result = step(quote=quote, user=request.user)
    except services.QuoteStateError as exc:
        messages.error(request, str(exc))
        return redirect("quotes:detail", quote.pk)
    messages.success(request, success % {"number": result.number})
    return redirect("quotes:detail", result.pk)


@require_POST
def quote_send(request, pk: int):
    """Fix a concept as sent (numbered, frozen, PDF filed in the dossier) without e-mailing."""
    return _state_step(
        request, pk, services.quote_send, _("Offerte %(number)s is vastgelegd als verzonden.")
    )


@require_POST
def quote_reject(request, pk: int):
    """The client said no."""
    return _state_step(request, pk, services.quote_reject, _("Offerte %(number)s afgewezen."))


@require_POST
def quote_revise(request, pk: int):
    """A new concept version of a sent quote (the sent one stays as it was)."""
    quote = _quote_or_404(request, pk)
    try:
        new = services.quote_revise(quote=quote, user=request.user)
    except services.QuoteStateError as exc:
        messages.error(request, str(exc))
        return redirect("quotes:detail", quote.pk)
    messages.success(request, _("Nieuwe versie %(number)s gemaakt.") % {"number": new.number})
    return redirect("quotes:edit", new.pk)


@require_POST
def quote_delete(request, pk: int):
    """Throw away a concept."""
    quote = _quote_or_404(request, pk)
    traject_pk = quote.traject_id
    try:
        services.quote_delete(quote=quote, user=request.user)
    except services.QuoteStateError as exc:
        messages.error(request, str(exc))
        return redirect("quotes:detail", quote.pk)
    messages.success(request, _("Concept-offerte verwijderd."))
    return redirect(reverse("trajects:detail", args=[traject_pk]) + "#offertes")


def _email_defaults(quote: Quote, user) -> dict:
    contact = quote.contact
    greeting = _("Beste %(name)s,") % {"name": contact.first_name or contact} if contact else ""
    signature = person_name(user)
    agency = ClientSettings.load().agency_name
    body = _(
        "%(greeting)s\n\nIn de bijlage vindt u onze offerte '%(title)s'.\n"
        "Heeft u vragen, dan hoor ik het graag.\n\n"
        "Met vriendelijke groet,\n%(signature)s\n%(agency)s"
    ) % {"greeting": greeting, "title": quote.title, "signature": signature, "agency": agency}
    subject = (
        _("Offerte %(number)s: %(title)s") % {"number": quote.number, "title": quote.title}
        if quote.number
        else _("Offerte: %(title)s") % {"title": quote.title}
    )
    return {
        "to": contact.email if contact else "",
        "subject": subject,
        "message": body.strip(),
    }


@require_http_methods(["GET", "POST"])
def quote_email(request, pk: int):
    """Send the PDF to the contact by e-mail; a concept is numbered and frozen first."""
    quote = _quote_or_404(request, pk)
    if quote.status == QuoteStatus.SUPERSEDED:
        messages.error(request, _("Deze versie is vervangen door een nieuwere; stuur die."))
        return redirect("quotes:detail", quote.pk)
    if request.method == "POST":
        form = QuoteEmailForm(request.POST)
        if form.is_valid():
            try:
                quote = services.quote_email(quote=quote, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(exc, form)
            except services.QuoteStateError as exc:
                form.add_error(None, str(exc))
            except services.QuoteEmailError as exc:
                quote.refresh_from_db()
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Offerte %(number)s is per e-mail verzonden naar %(to)s.")
                    % {"number": quote.number, "to": form.cleaned_data["to"]},
                )
                return redirect("quotes:detail", quote.pk)
    else:
        form = QuoteEmailForm(initial=_email_defaults(quote, request.user))
    return render(request, "quotes/quote_email.html", {"quote": quote, "form": form})


@require_http_methods(["GET", "POST"])
def quote_accept(request, pk: int):
    """The client accepted: offer to make the traject an Order worth the quote's total."""
    quote = _quote_or_404(request, pk)
    if not quote.can_decide:
        messages.error(request, _("Alleen een verzonden offerte kan worden geaccepteerd."))
        return redirect("quotes:detail", quote.pk)
    traject = quote.traject
    if request.method == "POST":
        form = QuoteAcceptForm(request.POST)
        if form.is_valid():
            try:
                services.quote_accept(
                    quote=quote,
                    user=request.user,
                    set_order=form.cleaned_data["set_order"],
                    win_loss_reason=form.cleaned_data["win_loss_reason"],
                    loaded=form.loaded(),
                )
            except ValidationError as exc:
                _add_errors(exc, form)
            except TrajectConflict as exc:
                for conflict in exc.conflicts:
                    form.add_error(
                        None,
                        _("%(field)s is intussen gewijzigd door %(who)s (nu: %(current)s).")
                        % {
                            "field": Traject._meta.get_field(conflict.field).verbose_name,
                            "who": conflict.changed_by,
                            "current": conflict.current,
                        },
                    )
            except services.QuoteStateError as exc:
                messages.error(request, str(exc))
                return redirect("quotes:detail", quote.pk)
            else:
                messages.success(
                    request, _("Offerte %(number)s geaccepteerd.") % {"number": quote.number}
                )
                return redirect("quotes:detail", quote.pk)
    else:
        form = QuoteAcceptForm(
            initial={"loaded_type": traject.type_id, "loaded_value": traject.value}
        )
    context = {
        "quote": quote,
        "traject": traject,
        "form": form,
        "reason_required": reason_required(traject),
    }
    return render(request, "quotes/quote_accept.html", context)


@require_GET
def quote_list(request):
    """Every quote the user may see, newest first, filtered on status."""
    status = request.GET.get("status", "")
    if status not in QuoteStatus.values:
        status = ""
    quotes = Quote.objects.visible_to(request.user).select_related("traject", "traject__relation")
    if status:
        quotes = quotes.in_status(status)
    page = Paginator(quotes, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": QuoteStatus.choices,
        "overview": "quotes",
    }
    return render_page(request, "quotes/quote_list.html", context, partials=("results",))
