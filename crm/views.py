"""Pages of the CRM app: the shared relations list and the relation autocomplete."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from salesmodule.htmx import render_page

from .models import Relation

OPTIONS = 20


@require_GET
def relation_list(request):
    """Every relation (the agency's shared address book), searchable by name."""
    query = request.GET.get("q", "")[:200]
    relations = Relation.objects.matching(query).prefetch_related("contacts")
    page = Paginator(relations, 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": query}
    return render_page(request, "crm/relation_list.html", context, partials=("results",))


@require_GET
def relation_options(request):
    """Autocomplete: up to 20 relations whose normalised name contains what was typed.

    Answers radio buttons named after `field` (default "relation"); the relation chosen so far
    stays first and checked, so typing never loses the choice.
    """
    query = request.GET.get("relation_query", "")[:200]
    field = request.GET.get("field", "relation")
    field = field if field.isidentifier() else "relation"
    selected = request.GET.get(field, "")
    options = Relation.objects.picker_options(query, selected, OPTIONS)
    context = {
        "options": options,
        "selected": selected,
        "field_name": field,
        "query": query,
        "required": request.GET.get("required") == "1",
    }
    return render(request, "crm/_relation_options.html", context)
