"""The quote as a PDF: an HTML template rendered by WeasyPrint.

The document is rendered in the agency's language (LANGUAGE_CODE), not in the language of
whoever clicked, so the same quote always gives the same document. Nothing is fetched while
rendering: the logo travels inside the HTML as a data: URI and every other URL is refused,
so text typed into a quote can never make the renderer read a file or call a server.
"""

import base64
import logging
import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from settings_app.models import ClientSettings
from settings_app.roles import person_name

from .amounts import calculate
from .models import Quote

logger = logging.getLogger(__name__)


class _DataOnlyFetcher(URLFetcher):
    """Allows data: URIs (the embedded logo) and nothing else."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, timeout=1)


def _logo_data_uri(client: ClientSettings) -> str:
    """The agency logo as a data: URI, or '' when there is none or it cannot be read."""
    if not client.agency_logo:
        return ""
    name = client.agency_logo.name
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        logger.warning("Agency logo %s cannot be read; quote rendered without it", name)
        return ""
    mime = mimetypes.guess_type(name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def quote_pdf_context(quote: Quote) -> dict:
    """Everything the PDF template shows: the stored totals and VAT per rate from the lines."""
    lines = list(quote.lines.all())
    client = ClientSettings.load()
    signer = quote.sent_by or quote.created_by
    return {
        "quote": quote,
        "lines": lines,
        "rates": calculate(
            ((line.amount, line.vat_rate) for line in lines), quote.discount_percent
        ).rates,
        "relation": quote.traject.relation,
        "contact": quote.contact,
        "client": client,
        "logo": _logo_data_uri(client),
        "quote_date": quote.quote_date or timezone.localdate(),
        "signer": person_name(signer),
    }


def quote_pdf_render(quote: Quote) -> bytes:
    """The quote rendered to PDF bytes (a concept carries a 'Concept' mark)."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("quotes/quote_pdf.html", quote_pdf_context(quote))
        return HTML(string=html, url_fetcher=_DataOnlyFetcher()).write_pdf()


def quote_pdf_filename(quote: Quote) -> str:
    """The name the user sees when downloading or receiving the PDF."""
    label = quote.number or f"concept-{quote.pk}"
    return f"{translation.gettext('Offerte')}-{label}.pdf".replace(" ", "-")
