"""python manage.py quote_pdf_benchmark [--runs 20]: how long a typical one-page quote renders.

Builds a quote of eight lines at 21 % and 9 % with a discount, an opening and a closing text
and the agency's logo, inside a transaction that is rolled back (the database is left as it
was), renders it once to warm up, then --runs times, and prints the median and spread.
"""

import io
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.loader import render_to_string
from PIL import Image
from pypdf import PdfReader

from crm.models import Contact, Relation
from quotes.pdf import quote_pdf_context, quote_pdf_render
from quotes.services import quote_create
from settings_app.models import BusinessType, ClientSettings, PaymentTerm, TrajectType
from settings_app.services import user_settings_set
from trajects.models import Traject

LINES = [
    ("Werving en selectie productiemedewerker", "4", "kandidaat", "1250.00", 21),
    ("Detachering planner, 36 uur per week", "144", "uur", "62.50", 21),
    ("Vacature-advertentie 30 dagen, regionaal", "2", "stuk", "395.00", 21),
    ("Assessment kandidaat", "3", "stuk", "675.00", 21),
    ("Intakegesprek en behoefteanalyse", "1.5", "uur", "95.00", 21),
    ("Opleiding veiligheid (VCA) per deelnemer", "6", "deelnemer", "245.00", 21),
    ("Reiskosten consultant", "212", "km", "0.23", 21),
    ("Lunch tijdens introductiedag", "12", "persoon", "17.50", 9),
]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Median render time of a typical one-page quote PDF (WeasyPrint)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="timed renders (default 20)")

    def handle(self, *args, runs, **options):
        if not 1 <= runs <= 1000:
            raise CommandError("--runs must be between 1 and 1000.")
        logo_name = ""
        try:
            with transaction.atomic():
                quote, logo_name = self._quote()
                self._measure(quote, runs)
                raise Rollback
        except Rollback:
            pass
        finally:
            if logo_name:
                ClientSettings._meta.get_field("agency_logo").storage.delete(logo_name)

    def _quote(self):
        user = get_user_model().objects.create(username="quote-benchmark", first_name="Bench")
        user_settings_set(user=user, beheerder=True)
        client = ClientSettings.load()
        client.agency_name = client.agency_name or "Brugwerk Uitzendbureau B.V."
        client.agency_address = client.agency_address or "Stationsplein 10\n3511 ED Utrecht"
        logo_name = ""
        if not client.agency_logo:
            buffer = io.BytesIO()
            Image.new("RGB", (360, 120), "#16803c").save(buffer, "PNG")
            client.agency_logo.save(
                "benchmark-logo.png", ContentFile(buffer.getvalue()), save=False
            )
            logo_name = client.agency_logo.name
        client.save()
        relation = Relation.objects.create(
            name="Hanzebouw B.V.", address="Kade 4", postcode="8011 AA", city="Zwolle"
        )
        contact = Contact.objects.create(
            relation=relation, first_name="Piet", last_name="Jansen", email="piet@example.com"
        )
        traject = Traject.objects.create(
            subject="Werving monteurs",
            relation=relation,
            contact=contact,
            business_type=BusinessType.objects.order_by("order").first(),
            type=TrajectType.objects.get(is_default=True),
            expected_close=date.today(),
            lead_date=date.today(),
        )
        quote = quote_create(
            traject=traject,
            user=user,
            fields={
                "title": "Werving en detachering monteurs",
                "contact": contact,
                "payment_term": PaymentTerm.objects.active().first(),
                "valid_until": date.today() + timedelta(days=30),
                "discount_percent": Decimal("7.5"),
                "opening_text": "Geachte heer Jansen,\n\nNaar aanleiding van ons gesprek doen "
                "wij u graag de volgende aanbieding.",
                "closing_text": "Wij vertrouwen erop u hiermee een passende aanbieding te doen."
                "\n\nMet vriendelijke groet,\nBench",
            },
            lines=[
                {
                    "description": description,
                    "quantity": Decimal(quantity),
                    "unit": unit,
                    "unit_price": Decimal(price),
                    "vat_rate": rate,
                }
                for description, quantity, unit, price, rate in LINES
            ],
        )
        return quote, logo_name

    def _measure(self, quote, runs: int) -> None:
        started = time.perf_counter()
        content = quote_pdf_render(quote)
        cold = time.perf_counter() - started
        pages = len(PdfReader(io.BytesIO(content)).pages)
        html_times, times = [], []
        for _ in range(runs):
            started = time.perf_counter()
            render_to_string("quotes/quote_pdf.html", quote_pdf_context(quote))
            html_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            quote_pdf_render(quote)
            times.append(time.perf_counter() - started)
        ms = [t * 1000 for t in sorted(times)]
        p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
        self.stdout.write(
            f"Quote PDF: {len(LINES)} lines, {pages} page(s), {len(content):,} bytes\n"
            f"first render (cold): {cold * 1000:.0f} ms\n"
            f"render, {runs} runs: median {statistics.median(ms):.0f} ms, "
            f"min {ms[0]:.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms\n"
            f"of which the HTML template: median {statistics.median(html_times) * 1000:.1f} ms"
        )
