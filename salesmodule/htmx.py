"""One helper decides whether a request gets the whole page or one named partial."""

from django.shortcuts import render


def render_page(request, template_name: str, context: dict, partials: tuple[str, ...] = ()):
    """Render `template#target` when htmx asks for one of the page's partials, else the page.

    Partial names match the DOM ids they replace, so HX-Target picks the partial.
    """
    target = getattr(request, "htmx", None) and request.htmx.target
    if target and target in partials:
        return render(request, f"{template_name}#{target}", context)
    return render(request, template_name, context)
