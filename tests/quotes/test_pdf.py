"""The quote PDF: what a reader finds in it, that it is escaped, paged and not blank."""

import io
import os
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from quotes import services
from quotes.pdf import _DataOnlyFetcher, quote_pdf_render
from quotes.templatetags.quotes import money
from settings_app.models import ClientSettings

from .conftest import make_quote

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").split())


@pytest.fixture
def agency(db):
    client = ClientSettings.load()
    client.agency_name = "Brugwerk Uitzendbureau B.V."
    client.agency_address = "Stationsplein 10\n3511 ED Utrecht"
    client.save()
    return client


@pytest.fixture
def sent(quote, am, agency):
    return services.quote_send(quote=quote, user=am)


def test_the_pdf_shows_relation_number_lines_totals_and_terms(sent, relation, contact):
    text = pdf_text(sent.pdf.read())
    for expected in (
        "Brugwerk Uitzendbureau B.V.",
        "Stationsplein 10",
        relation.name,
        f"t.a.v. {contact}",
        "Kade 4",
        sent.number,
        "Werving",
        "Advertentie",
        "Lunch",
        "€ 19,49",
        "€ 300,00",
        "€ 25,03",
        "Subtotaal € 344,52",
        "Korting 10% − € 34,45",
        "Btw 21% over € 287,54 € 60,38",
        "Btw 9% over € 22,53 € 2,03",
        "Totaal incl. btw € 372,48",
        "Betaalconditie 30 dagen",
        f"Geldig tot {sent.valid_until.day}",
        "Pagina 1 van 1",
        sent.sent_by.get_full_name(),
    ):
        assert expected in text, expected
    assert "CONCEPT" not in text


def test_the_stored_totals_are_what_the_pdf_shows(sent):
    text = pdf_text(sent.pdf.read())

    def shown(value):
        with translation.override("nl"):
            return money(value).replace("\xa0", " ")

    assert f"Subtotaal {shown(sent.subtotal)}" in text
    assert f"− {shown(sent.discount_amount)}" in text
    assert f"Totaal excl. btw {shown(sent.net_total)}" in text
    assert f"Totaal incl. btw {shown(sent.total)}" in text
    vat_per_rate = re.findall(r"Btw \d+% over € [\d.,]+ € ([\d.,]+)", text)
    assert len(vat_per_rate) == 2
    assert (
        sum(Decimal(v.replace(".", "").replace(",", ".")) for v in vat_per_rate) == sent.vat_amount
    )


def test_a_concept_preview_is_marked_concept(quote, agency):
    text = pdf_text(quote_pdf_render(quote))
    assert "CONCEPT" in text and "Concept" in text


def test_text_typed_into_the_quote_is_escaped(traject, am, agency):
    evil = '<b>vet</b> & <img src="file:///etc/hostname"> <script>alert(1)</script>'
    lines = [
        {
            "description": evil,
            "quantity": "1",
            "unit": "<i>u</i>",
            "unit_price": "5",
            "vat_rate": 21,
        }
    ]
    quote = make_quote(
        traject, am, lines=lines, title="<h1>Groot</h1>", opening_text="<p style='color:red'>x</p>"
    )
    text = "".join(pdf_text(quote_pdf_render(quote)).split())  # wrapped lines joined up
    assert "".join(evil.split()) in text
    assert "<i>u</i>" in text and "<h1>Groot</h1>" in text and "<pstyle='color:red'>x</p>" in text


def test_the_renderer_fetches_nothing_but_data_uris():
    fetcher = _DataOnlyFetcher()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.com/x.css"):
        with pytest.raises(ValueError):
            fetcher(url)
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"


def test_the_agency_logo_is_embedded(quote, am, agency):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "#16803c").save(buffer, "PNG")
    agency.agency_logo.save("logo.png", ContentFile(buffer.getvalue()))
    reader = PdfReader(io.BytesIO(quote_pdf_render(quote)))
    assert len(reader.pages[0].images) == 1


def test_a_missing_logo_file_does_not_break_the_pdf(quote, agency):
    agency.agency_logo.name = "agency/gone.png"
    agency.save()
    assert quote_pdf_render(quote).startswith(b"%PDF-")


def test_long_quotes_get_page_numbers_on_every_page(traject, am, agency):
    lines = [
        {
            "description": f"Regel {n} met een omschrijving",
            "quantity": "1",
            "unit": "",
            "unit_price": "10",
            "vat_rate": 21,
        }
        for n in range(1, 101)
    ]
    quote = make_quote(traject, am, lines=lines)
    reader = PdfReader(io.BytesIO(quote_pdf_render(quote)))
    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Pagina {number} van {pages}" in " ".join(page.extract_text().split())
    assert "Regel 100 met" in pdf_text(quote_pdf_render(quote))


def test_page_one_renders_to_a_png_that_is_not_blank(sent, tmp_path):
    if shutil.which("pdftoppm") is None:
        message = "pdftoppm is missing (apt-get install poppler-utils)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    source = tmp_path / "quote.pdf"
    source.write_bytes(sent.pdf.read())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size
    assert (width, height) == (414, 585)  # A4 at 50 dpi
    inked = sum(image.histogram()[:200])  # pixels darker than light grey
    assert inked / (width * height) > 0.01, "page 1 is (nearly) blank"
    top_half = image.crop((0, 0, width, height // 2))
    assert top_half.getextrema()[0] < 100, "no dark text in the top half"
