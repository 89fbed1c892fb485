"""Demo quotes for seed_demo: a few dozen in every status, made through the real services."""

import io
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from settings_app.models import ClientSettings, Outcome, PaymentTerm
from trajects.models import Traject

from . import services

LINES = [
    ("Werving en selectie {n} productiemedewerkers", "kandidaat", "1250.00", 21),
    ("Detachering planner, 36 uur per week", "uur", "62.50", 21),
    ("Vacature-advertentie 30 dagen, regionaal", "stuk", "395.00", 21),
    ("Assessment kandidaat", "stuk", "675.00", 21),
    ("Intakegesprek en behoefteanalyse", "uur", "95.00", 21),
    ("Inhuur flexpool, gemiddeld tarief", "uur", "38.75", 21),
    ("Opleiding veiligheid (VCA) per deelnemer", "deelnemer", "245.00", 0),
    ("Reiskosten consultant", "km", "0.23", 21),
    ("Lunch tijdens introductiedag", "persoon", "17.50", 9),
]
OPENING = (
    "Geachte {name},\n\nNaar aanleiding van ons gesprek doen wij u graag de volgende aanbieding."
)
CLOSING = (
    "Wij vertrouwen erop u hiermee een passende aanbieding te doen.\n\nMet vriendelijke groet,"
)


def _demo_agency() -> None:
    """Give the demo client an agency name, address and a drawn logo when it has none."""
    client = ClientSettings.load()
    if not client.agency_name:
        client.agency_name = "Brugwerk Uitzendbureau B.V."
        client.agency_address = (
            "Stationsplein 10\n3511 ED Utrecht\nKvK 12345678 · btw NL001234567B01"
        )
    if not client.agency_logo:
        image = Image.new("RGB", (360, 120), "white")
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((4, 4, 116, 116), radius=18, fill="#16803c")
        draw.polygon([(24, 92), (60, 28), (96, 92)], fill="white")
        draw.rectangle((136, 40, 340, 56), fill="#16803c")
        draw.rectangle((136, 68, 290, 80), fill="#94a3b8")
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        client.agency_logo.save("demo-logo.png", ContentFile(buffer.getvalue()), save=False)
    client.save()


def _lines(rng: random.Random) -> list[dict]:
    lines = []
    for description, unit, price, rate in rng.sample(LINES, rng.randint(1, 5)):
        quantity = Decimal(rng.choice(("1", "2", "3", "4", "8", "12.5", "36", "160")))
        lines.append(
            {
                "description": description.format(n=rng.randint(2, 12)),
                "quantity": quantity,
                "unit": unit,
                "unit_price": Decimal(price),
                "vat_rate": rate,
            }
        )
    return lines


def seed_quotes(*, count: int, today: date, seed: int, out: Callable[[str], None] = print) -> int:
    """Quotes on converted trajects: open ones get concepts and sent quotes (some in a second
    version), won ones accepted quotes, lost ones rejected quotes. Returns how many were made."""
    rng = random.Random(seed)
    _demo_agency()
    term = PaymentTerm.objects.active().first()
    candidates = (
        Traject.objects.trajects()
        .filter(contact__isnull=False, accountmanager_count__gt=0)
        .select_related("relation", "contact", "type")
        .order_by("pk")
    )
    open_count = count * 3 // 5  # most demo quotes are still in play
    trajects = list(candidates.filter(type__outcome=Outcome.OPEN)[: open_count * 5 : 5])
    # Won and lost ones half each, whatever the day's mix of closed trajects: every status.
    closed = count - len(trajects)
    trajects += list(candidates.filter(type__outcome=Outcome.WON)[: (closed - closed // 2) * 7 : 7])
    trajects += list(candidates.filter(type__outcome=Outcome.LOST)[: closed // 2 * 7 : 7])
    first_am = {
        traject.pk: traject.accountmanager_links.order_by("pk").first().user_id
        for traject in trajects
    }
    users = get_user_model().objects.in_bulk(set(first_am.values()))
    made = 0
    for traject in trajects:
        user = users[first_am[traject.pk]]
        fields = {
            "title": traject.subject[:200],
            "contact": traject.contact,
            "payment_term": term,
            "valid_until": today + timedelta(days=services.VALIDITY_DAYS),
            "discount_percent": Decimal(rng.choice(("0", "0", "0", "5", "10", "12.5"))),
            "opening_text": OPENING.format(name=traject.contact),
            "closing_text": CLOSING,
        }
        quote = services.quote_create(traject=traject, user=user, fields=fields, lines=_lines(rng))
        made += 1
        outcome = traject.type.outcome
        if outcome == Outcome.OPEN and rng.random() < 0.4:
            continue  # stays a concept
        quote = services.quote_send(quote=quote, user=user)
        if outcome == Outcome.WON:
            services.quote_accept(quote=quote, user=user, set_order=False)
        elif outcome == Outcome.LOST:
            services.quote_reject(quote=quote, user=user)
        elif rng.random() < 0.3:
            revised = services.quote_revise(quote=quote, user=user)
            lines = [
                {**line, "quantity": line["quantity"] + 1}
                for line in revised.lines.values(*services.LINE_FIELDS)
            ]
            services.quote_update(quote=revised, user=user, fields=fields, lines=lines)
            services.quote_send(quote=revised, user=user)
            made += 1
    out(f"Quotes: {made} in every status, with their PDFs")
    return made
