"""Pages of the CRM app: the shared relations list, the relation card and the relation picker."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesmodule.htmx import render_page
from salesmodule.ids import parse_id
from settings_app.roles import roles_of

from . import services
from .forms import ContactForm, RelationForm, SearchField
from .models import Contact, Relation, RelationChange

OPTIONS = 20
TRAJECTS_PER_PAGE = 25
HISTORY_SHOWN = 50


@require_GET
def relation_list(request):
    """Every relation (the agency's shared address book), searchable by name."""
    query = request.GET.get("q", "")[:200]
    relations = Relation.objects.matching(query).prefetch_related("contacts")
    page = Paginator(relations, 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": query}
    return render_page(request, "crm/relation_list.html", context, partials=("results",))


def _search_text(value) -> str:
    return SearchField(required=False).clean((value or "")[:200])


@require_GET
def relation_search(request):
    """The relation picker's listbox: up to 20 relations whose name contains what was typed.

    Only relation names and places: nothing of any traject, so nothing to hide from anyone.
    `listbox` is the id of the listbox the options go into (their ids start with it).
    """
    field = request.GET.get("field", "relation")[:40]
    field = field if field.isidentifier() else "relation"
    query = _search_text(request.GET.get(f"{field}_query", request.GET.get("q")))
    listbox = request.GET.get("listbox", "relation-listbox")[:60]
    listbox = listbox if listbox.replace("-", "_").isidentifier() else "relation-listbox"
    options = list(Relation.objects.matching(query)[:OPTIONS]) if query.strip() else []
    context = {
        "options": options,
        "query": query,
        "listbox": listbox,
        "new": request.GET.get("new") == "1",
        "limited": len(options) == OPTIONS,
        "limit": OPTIONS,
    }
    return render(request, "crm/_relation_search.html", context)


def _card(request, relation: Relation, *, status: int = 200, **forms):
    """The relation card: address, contacts, vacancies, the trajects and leads the user may
    see with their totals ("Alle trajecten", manual 4.4.12), and the address book's history."""
    user = request.user
    roles = roles_of(user)
    # The reverse relation keeps crm below trajects: no import of the higher app.
    visible = relation.trajects.visible_to(user)
    # As the trajects overview: an accountmanager's own view shows his share (DESIGN rule 4).
    share_users = [user] if roles.accountmanager and not roles.beheerder else []
    visible = visible.with_share_for(share_users)
    totals = visible.totals()
    rows = visible.select_related("type").order_by("-expected_close", "-pk")
    page = Paginator(rows, TRAJECTS_PER_PAGE).get_page(request.GET.get("pagina"))
    contacts = list(relation.contacts.all())
    edit_contact = forms.pop("edit_contact", None)
    context = {
        "relation": relation,
        "contacts": [
            (
                contact,
                edit_contact[1]
                if edit_contact and edit_contact[0] == contact.pk
                else ContactForm(instance=contact, prefix=f"c{contact.pk}"),
            )
            for contact in contacts
        ],
        "open_contact": edit_contact[0] if edit_contact else None,
        "vacancies": relation.vacancies.all(),
        "page": page,
        "totals": totals,
        "shares": bool(share_users),
        "history": RelationChange.objects.of(relation)[:HISTORY_SHOWN],
        "may_edit": services.may_edit_address_book(user),
        "relation_form": forms.get("relation_form") or RelationForm(instance=relation),
        "contact_form": forms.get("contact_form") or ContactForm(prefix="new"),
        "address_open": "relation_form" in forms,
        "contact_open": "contact_form" in forms,
    }
    return render(request, "crm/relation_detail.html", context, status=status)


def _forbidden(request, error: PermissionDenied):
    return render(request, "403.html", {"message": str(error)}, status=403)


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _next(request) -> str:
    """Where to go after making a relation: a local path the picker came from, else ''."""
    back = (request.POST.get("next") or request.GET.get("next") or "")[:500]
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return back
    return ""


@require_http_methods(["GET", "POST"])
def relation_create(request):
    """ "Nieuwe relatie" (the picker's escape hatch): a relation with the duplicate warning
    ("Bestaat deze relatie al?") before it is made; then back to the page it came from."""
    if not services.may_edit_address_book(request.user):
        return _forbidden(
            request,
            PermissionDenied(
                _("Alleen accountmanagers, sales beheerders en key-users wijzigen het adresboek.")
            ),
        )
    back = _next(request)
    similar = []
    if request.method == "GET":
        form = RelationForm(initial={"name": _search_text(request.GET.get("naam"))})
    elif existing := parse_id(request.POST.get("use_relation")):
        relation = get_object_or_404(Relation, pk=existing)
        messages.info(request, _("Bestaande relatie “%(name)s” gekozen.") % {"name": relation})
        return redirect(back or reverse("crm:relation_detail", args=[relation.pk]))
    else:
        form = RelationForm(request.POST)
        if form.is_valid():
            if not request.POST.get("confirm_new_relation"):
                similar = Relation.objects.similar_to(form.cleaned_data["name"])
            if not similar:
                try:
                    relation = services.relation_create(user=request.user, data=form.cleaned_data)
                except ValidationError as error:
                    _errors_to_form(form, error)
                else:
                    messages.success(
                        request,
                        _("Relatie “%(name)s” aangemaakt; kies haar nu in de lijst.")
                        % {"name": relation},
                    )
                    return redirect(back or reverse("crm:relation_detail", args=[relation.pk]))
    context = {"form": form, "similar": similar, "next": back}
    return render(request, "crm/relation_form.html", context)


@require_GET
def relation_detail(request, pk: int):
    """The relation card (everyone sees the shared address book; trajects by visibility)."""
    return _card(request, get_object_or_404(Relation, pk=pk))


def _back(relation: Relation, anchor: str):
    return redirect(reverse("crm:relation_detail", args=[relation.pk]) + f"#{anchor}")


@require_POST
def relation_edit(request, pk: int):
    """Save the card's address form; each changed field goes into the history."""
    relation = get_object_or_404(Relation, pk=pk)
    form = RelationForm(request.POST, instance=Relation.objects.get(pk=pk))
    if not form.is_valid():
        return _card(request, relation, relation_form=form)
    try:
        changes = services.relation_update(
            relation=relation, user=request.user, data=form.cleaned_data
        )
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        _errors_to_form(form, error)
        return _card(request, relation, relation_form=form)
    messages.success(request, _("Bewaard.") if changes else _("Niets gewijzigd."))
    return _back(relation, "adres")


@require_POST
def contact_add(request, pk: int):
    """Add a contact to the relation from its card."""
    relation = get_object_or_404(Relation, pk=pk)
    form = ContactForm(request.POST, prefix="new")
    if not form.is_valid():
        return _card(request, relation, contact_form=form)
    try:
        services.contact_create(relation=relation, user=request.user, data=form.cleaned_data)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        _errors_to_form(form, error)
        return _card(request, relation, contact_form=form)
    messages.success(request, _("Contactpersoon toegevoegd."))
    return _back(relation, "contactpersonen")


@require_POST
def contact_edit(request, pk: int, contact_id: int):
    """Change one of the relation's contacts; a contact of another relation is 404."""
    relation = get_object_or_404(Relation, pk=pk)
    contact = get_object_or_404(Contact, pk=contact_id, relation=relation)
    form = ContactForm(
        request.POST, instance=Contact.objects.get(pk=contact.pk), prefix=f"c{contact.pk}"
    )
    if not form.is_valid():
        return _card(request, relation, edit_contact=(contact.pk, form))
    try:
        services.contact_update(contact=contact, user=request.user, data=form.cleaned_data)
    except PermissionDenied as error:
        return _forbidden(request, error)
    except ValidationError as error:
        _errors_to_form(form, error)
        return _card(request, relation, edit_contact=(contact.pk, form))
    messages.success(request, _("Bewaard."))
    return _back(relation, "contactpersonen")
