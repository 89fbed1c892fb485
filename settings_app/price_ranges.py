"""Prijs ranges (SE1894): thresholds as the key-user types them, and the ranges they make.

Ranges are half-open on the unweighted value (DESIGN rule 5): thresholds 500,1000,5000 give
[0, 500), [500, 1000), [1000, 5000) and [5000, ∞).
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_THRESHOLD = 10**12  # a traject value has 12 digits before the decimal point
WHOLE_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class PriceRange:
    """One range: lower bound included, upper bound excluded (None: no upper bound)."""

    index: int
    lower: Decimal
    upper: Decimal | None

    def contains(self, value: Decimal) -> bool:
        """Whether the unweighted value falls in this half-open range."""
        return value >= self.lower and (self.upper is None or value < self.upper)

    @property
    def label(self) -> str:
        """'500 – 1.000' or '5.000 en meer', in the active language."""
        lower = number_format(self.lower, decimal_pos=0, force_grouping=True)
        if self.upper is None:
            return _("%(lower)s en meer") % {"lower": lower}
        upper = number_format(self.upper, decimal_pos=0, force_grouping=True)
        return f"{lower} – {upper}"


def thresholds_parse(text: str) -> list[int]:
    """The thresholds in `text`, or a ValidationError that says what is wrong with them."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            _("Vul minstens één drempel in, bijvoorbeeld 500,1000,5000."), code="empty"
        )
    parts = [part.strip() for part in text.split(",")]
    thresholds: list[int] = []
    for position, part in enumerate(parts, start=1):
        if not part:
            raise ValidationError(
                _(
                    "Drempel %(position)s is leeg: staan er twee komma's achter elkaar, of een "
                    "komma aan het begin of eind?"
                )
                % {"position": position},
                code="empty_part",
            )
        if part.startswith("-"):
            raise ValidationError(
                _("%(part)s is negatief: drempels moeten groter dan 0 zijn.") % {"part": part},
                code="negative",
            )
        if not WHOLE_NUMBER.match(part):
            raise ValidationError(
                _(
                    "%(part)s is geen heel getal: schrijf bedragen in hele euro's zonder punt, "
                    "spatie of valutateken (bijvoorbeeld 1000)."
                )
                % {"part": part},
                code="not_a_number",
            )
        number = int(part)
        if number <= 0:
            raise ValidationError(
                _("%(part)s is geen positief getal: drempels moeten groter dan 0 zijn.")
                % {"part": part},
                code="not_positive",
            )
        if number >= MAX_THRESHOLD:
            raise ValidationError(
                _("%(part)s is te groot voor een bedrag.") % {"part": part}, code="too_large"
            )
        if thresholds and number == thresholds[-1]:
            raise ValidationError(
                _("%(part)s staat er twee keer in: elke drempel moet groter zijn dan de vorige.")
                % {"part": part},
                code="duplicate",
            )
        if thresholds and number < thresholds[-1]:
            raise ValidationError(
                _(
                    "%(part)s is kleiner dan %(previous)s ervoor: zet de drempels van laag naar "
                    "hoog."
                )
                % {"part": part, "previous": thresholds[-1]},
                code="not_increasing",
            )
        thresholds.append(number)
    return thresholds


def thresholds_validate(text: str) -> None:
    """Model-field validator: raises when the text is not a valid list of thresholds."""
    thresholds_parse(text)


def thresholds_text(thresholds) -> str:
    """The stored form: '500,1000,5000' (no spaces, no decimals)."""
    return ",".join(str(int(t)) for t in thresholds)


def price_ranges(thresholds) -> list[PriceRange]:
    """The ranges the thresholds make, lowest first."""
    bounds = [Decimal(0), *(Decimal(int(t)) for t in thresholds)]
    return [
        PriceRange(index, lower, bounds[index + 1] if index + 1 < len(bounds) else None)
        for index, lower in enumerate(bounds)
    ]
