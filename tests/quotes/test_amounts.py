"""The quote arithmetic: golden cases worked out by hand, and a property test against integers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotes.amounts import calculate, cents, line_amount

D = Decimal


def totals_of(lines, discount):
    """lines: (quantity, unit price, rate) as strings, like a user types them."""
    return calculate(((line_amount(D(q), D(p)), rate) for q, p, rate in lines), D(discount))


def test_half_up_not_bankers_rounding():
    assert cents(D("0.005")) == D("0.01")
    assert cents(D("2.625")) == D("2.63")  # ROUND_HALF_EVEN would give 2.62
    assert cents(D("19.485")) == D("19.49")
    assert cents(D("19.4849")) == D("19.48")


def test_golden_three_lines_21_and_9_with_10_percent_discount():
    # 1.5 × 12.99 = 19.485 → 19.49 ; 3 × 100.00 = 300.00 ; 2.5 × 10.01 = 25.025 → 25.03
    # 21%: base 319.49, discount 31.949 → 31.95, net 287.54, VAT 60.3834 → 60.38
    #  9%: base  25.03, discount  2.503 →  2.50, net  22.53, VAT  2.0277 →  2.03
    totals = totals_of([("1.5", "12.99", 21), ("3", "100.00", 21), ("2.5", "10.01", 9)], "10")
    assert [(r.rate, r.base, r.discount, r.net, r.vat) for r in totals.rates] == [
        (21, D("319.49"), D("31.95"), D("287.54"), D("60.38")),
        (9, D("25.03"), D("2.50"), D("22.53"), D("2.03")),
    ]
    assert totals.subtotal == D("344.52")
    assert totals.discount_amount == D("34.45")
    assert totals.net_total == D("310.07")
    assert totals.vat_amount == D("62.41")
    assert totals.total == D("372.48")


@pytest.mark.parametrize(
    ("lines", "discount", "vat", "total"),
    [
        # VAT 21% of 12.50 = 2.625: half-up decides the cent (2.63, not 2.62).
        ([("1", "12.50", 21)], "0", "2.63", "15.13"),
        # VAT 9% of 0.50 = 0.045 → 0.05.
        ([("1", "0.50", 9)], "0", "0.05", "0.55"),
        # Discount 10% of 0.25 = 0.025 → 0.03; net 0.22; VAT 0.0462 → 0.05.
        ([("1", "0.25", 21)], "10", "0.05", "0.27"),
        # Each line is rounded on its own: 3 × (0.5 × 0.01 = 0.005 → 0.01) = 0.03, not 0.02.
        ([("0.5", "0.01", 0)] * 3, "0", "0.00", "0.03"),
        # 12.5%: 3 × 33.33 = 99.99, discount 12.49875 → 12.50, net 87.49, VAT 18.3729 → 18.37.
        ([("3", "33.33", 21)], "12.5", "18.37", "105.86"),
        # A full discount leaves nothing to pay and no VAT.
        ([("2", "99.99", 21), ("1", "5.00", 9)], "100", "0.00", "0.00"),
        # 0% VAT keeps its own (zero) row.
        ([("10", "245.00", 0)], "5", "0.00", "2327.50"),
    ],
)
def test_golden_cases(lines, discount, vat, total):
    totals = totals_of(lines, discount)
    assert totals.vat_amount == D(vat)
    assert totals.total == D(total)


def test_no_lines_is_zero():
    totals = calculate([], D("10"))
    assert totals.rates == [] and totals.total == D("0.00")


def _half_up_div(numerator: int, denominator: int) -> int:
    """Integer division rounding half-up, for non-negative numbers."""
    return (2 * numerator + denominator) // (2 * denominator)


line_strategy = st.tuples(
    st.integers(min_value=1, max_value=10_000_000),  # quantity in hundredths: 0.01 .. 100,000
    st.integers(min_value=0, max_value=100_000_000),  # unit price in cents: 0 .. 1,000,000
    st.sampled_from([21, 9, 0]),
)


@given(
    lines=st.lists(line_strategy, min_size=1, max_size=30),
    discount=st.integers(min_value=0, max_value=10_000),  # hundredths of a percent
)
def test_total_is_the_sum_of_rounded_bases_plus_vat_per_rate(lines, discount):
    """Recomputed in whole cents with integers only, independently of Decimal and quantize."""
    result = calculate(
        ((line_amount(D(q) / 100, D(p) / 100), rate) for q, p, rate in lines), D(discount) / 100
    )

    bases: dict[int, int] = {}
    for q, p, rate in lines:
        bases[rate] = bases.get(rate, 0) + _half_up_div(q * p, 100)  # line rounded to cents
    expected_total = 0
    for rate_total in result.rates:
        base = bases[rate_total.rate]
        discount_cents = _half_up_div(base * discount, 10_000)
        net = base - discount_cents
        vat = _half_up_div(net * rate_total.rate, 100)
        assert rate_total.base * 100 == base
        assert rate_total.discount * 100 == discount_cents
        assert rate_total.vat * 100 == vat
        expected_total += net + vat
    assert sorted(r.rate for r in result.rates) == sorted(bases)
    assert result.total * 100 == expected_total
    assert result.total == result.subtotal - result.discount_amount + result.vat_amount
    assert result.total == sum(r.net for r in result.rates) + sum(r.vat for r in result.rates)
    assert all(r.net >= 0 and r.vat >= 0 for r in result.rates)
    assert all(value == value.quantize(D("0.01")) for value in result.as_fields().values())
