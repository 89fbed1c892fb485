"""Charts as server-side SVG: no JavaScript, printable, readable by a screen reader.

Bars in the Okabe–Ito palette (distinguishable with every common colour-vision deficiency),
each with a <title> that says its series, category and figure; the chart is role="img" with
a title and a description, and its data table stands beside it. Every bar carries its figure
in data-value, so a test can compare the chart with the table.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from trajects.tables import esc

# Okabe & Ito, "Color Universal Design" (2008).
BLUE, SKY, GREEN, VERMILLION, ORANGE, PURPLE = (
    "#0072B2",
    "#56B4E9",
    "#009E73",
    "#D55E00",
    "#E69F00",
    "#CC79A7",
)


@dataclass
class Series:
    name: str
    colour: str
    values: list  # one number per category (Decimal euros or int counts)


def _number(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _scale_max(series: list[Series]) -> Decimal:
    top = max((Decimal(v) for s in series for v in s.values), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def _legend(series: list[Series], y: int) -> str:
    parts, x = [], 0
    for s in series:
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{s.colour}"></rect>'
            f'<text x="{x + 16}" y="{y + 11}" class="chart-legend">{esc(s.name)}</text>'
        )
        x += 24 + 8 * len(s.name)
    return "".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    fmt=str,
    *,
    horizontal: bool = False,
    category_lines: list[tuple[str, str]] | None = None,
) -> SafeString:
    """Grouped bars: one group per category, one bar per series. fmt writes a figure as the
    page does (euros, counts). Vertical bars unless horizontal; category_lines gives each
    vertical group a label of two lines (month, year)."""
    top = _scale_max(series)
    bars = []
    n = max(len(series), 1)
    if horizontal:
        label_w, plot_w, bar_h, gap = 180, 560, 12, 10
        group_h = bar_h * n + gap
        height = 30 + group_h * len(categories)
        width = label_w + plot_w + 120
        for i, category in enumerate(categories):
            y0 = 30 + i * group_h
            bars.append(
                f'<text x="{label_w - 6}" y="{y0 + bar_h * n / 2 + 4:.0f}" text-anchor="end" '
                f'class="chart-label">{esc(category[:28])}</text>'
            )
            for j, s in enumerate(series):
                value = s.values[i]
                w = float(Decimal(value) / top * plot_w)
                y = y0 + j * bar_h
                text = f"{s.name}, {category}: {fmt(value)}"
                bars.append(
                    f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 1}" '
                    f'fill="{s.colour}" data-series="{esc(s.name)}" '
                    f'data-category="{esc(category)}" '
                    f'data-value="{_number(value)}"><title>{esc(text)}</title></rect>'
                    f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 2}" class="chart-figure">'
                    f"{esc(fmt(value))}</text>"
                )
        axis = f'<line x1="{label_w}" y1="24" x2="{label_w}" y2="{height}" class="chart-axis"/>'
    else:
        plot_h, group_w, pad_left = 220, 44, 8
        width = pad_left + group_w * len(categories) + 8
        height = 30 + plot_h + 40
        base = 30 + plot_h
        bar_w = (group_w - 8) / n
        for i, category in enumerate(categories):
            x0 = pad_left + i * group_w + 4
            for j, s in enumerate(series):
                value = s.values[i]
                h = float(Decimal(value) / top * plot_h)
                text = f"{s.name}, {category}: {fmt(value)}"
                bars.append(
                    f'<rect x="{x0 + j * bar_w:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" '
                    f'height="{h:.1f}" fill="{s.colour}" data-series="{esc(s.name)}" '
                    f'data-category="{esc(category)}" data-value="{_number(value)}">'
                    f"<title>{esc(text)}</title></rect>"
                )
            first, second = (category_lines or [(category, "")] * len(categories))[i]
            middle = x0 + (group_w - 8) / 2
            bars.append(
                f'<text x="{middle:.1f}" y="{base + 14}" text-anchor="middle" '
                f'class="chart-label">{esc(first)}</text>'
                f'<text x="{middle:.1f}" y="{base + 27}" text-anchor="middle" '
                f'class="chart-label">{esc(second)}</text>'
            )
        axis = (
            f'<line x1="{pad_left}" y1="{base}" x2="{width - 4}" y2="{base}" class="chart-axis"/>'
            # The scale: a line at the highest figure, labelled with it.
            f'<line x1="{pad_left}" y1="30" x2="{width - 4}" y2="30" class="chart-grid"/>'
            + (
                f'<text x="{width - 4}" y="27" text-anchor="end" class="chart-label">'
                f"{esc(fmt(top))}</text>"
                if any(Decimal(v) > 0 for s in series for v in s.values)
                else ""
            )
        )
    svg = (
        f'<svg class="chart" id="{esc(chart_id)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{esc(chart_id)}-title {esc(chart_id)}-desc" '
        f'preserveAspectRatio="xMinYMin meet" style="max-width:{width}px">'
        f'<title id="{esc(chart_id)}-title">{esc(title)}</title>'
        f'<desc id="{esc(chart_id)}-desc">{esc(description)}</desc>'
        f"{_legend(series, 4)}{axis}{''.join(bars)}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text escaped above
