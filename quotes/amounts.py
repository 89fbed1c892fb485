"""The quote arithmetic, in one place: the form's live totals, the stored totals and the PDF.

Each line is rounded half-up to cents. The discount is taken from each VAT rate's base and
rounded half-up to cents; the VAT of a rate is computed on its discounted base and rounded
half-up to cents. The total is the sum of the discounted bases plus the VAT of each rate.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """Round half-up to cents (0.005 → 0.01), never banker's rounding."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, rounded half-up to cents."""
    return cents(Decimal(quantity) * Decimal(unit_price))


@dataclass(frozen=True)
class RateTotal:
    rate: int
    base: Decimal  # sum of the rounded line amounts at this rate
    discount: Decimal
    net: Decimal  # base minus discount: what the VAT is computed on
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    discount_percent: Decimal
    rates: list[RateTotal] = field(default_factory=list)  # highest rate first

    @property
    def subtotal(self) -> Decimal:
        return sum((r.base for r in self.rates), ZERO)

    @property
    def discount_amount(self) -> Decimal:
        return sum((r.discount for r in self.rates), ZERO)

    @property
    def net_total(self) -> Decimal:
        return sum((r.net for r in self.rates), ZERO)

    @property
    def vat_amount(self) -> Decimal:
        return sum((r.vat for r in self.rates), ZERO)

    @property
    def total(self) -> Decimal:
        return self.net_total + self.vat_amount

    def as_fields(self) -> dict:
        """The quote's stored total fields."""
        return {
            "subtotal": self.subtotal,
            "discount_amount": self.discount_amount,
            "net_total": self.net_total,
            "vat_amount": self.vat_amount,
            "total": self.total,
        }


def calculate(lines: Iterable[tuple[Decimal, int]], discount_percent: Decimal) -> Totals:
    """Totals from (rounded line amount, VAT rate) pairs and the discount percentage."""
    discount_percent = Decimal(discount_percent or 0)
    bases: dict[int, Decimal] = {}
    for amount, rate in lines:
        bases[int(rate)] = bases.get(int(rate), ZERO) + Decimal(amount)
    rates = []
    for rate in sorted(bases, reverse=True):
        base = bases[rate]
        discount = cents(base * discount_percent / HUNDRED)
        net = base - discount
        rates.append(RateTotal(rate, base, discount, net, cents(net * rate / HUNDRED)))
    return Totals(discount_percent, rates)
