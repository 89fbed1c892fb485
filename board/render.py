"""The board's cards as HTML, written in Python: the markup of templates/board/_card.html.

A board page shows up to 50 cards in each of its columns (350 and more); through Django's
template engine each card costs about a millisecond (an include, two inclusion tags, the move
menu's form and loop, some 80 variable lookups), which alone would take the page past its
150 ms target at 1,000,000 trajects (issue 13, Performance). Here a card costs a few
hundredths of that. The template stays the reference, and renders single cards (after a move):
tests/board/test_render.py renders the same cards both ways and requires the same HTML.
"""

import html

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from salesmodule.amounts import whole_euros
from settings_app.roles import client_settings_of
from trajects import indicators

from .columns import NO_STAGE_PARAM

ROUTE_ID = 999_999_999  # reversed once, then replaced by each card's id


def esc(text) -> str:
    """conditional_escape without its lazy-string wrapper (a tenth of the cost; 15 per card):
    the same output, html.escape of the text unless it is already safe."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


def _url_pattern(name: str) -> str:
    return reverse(name, args=[ROUTE_ID])


def _remaining(indicator) -> str:
    if not indicator:
        return ""
    label = esc(indicator.label)
    return (
        f'<span class="remaining remaining-{esc(indicator.level)}" data-remaining-level='
        f'"{esc(indicator.level)}" data-remaining-days="{indicator.days}" title="{label}">'
        f'<span aria-hidden="true"><span class="remaining-icon">{esc(indicator.icon)}</span> '
        f'{esc(indicator.text)}</span><span class="visually-hidden">{label}</span></span>'
    )


def _stage_age(age, stale_word: str) -> str:
    if not age:
        return ""
    stale = age.stale
    return (
        f'<span class="stage-age{" stage-age-stale" if stale else ""}" data-days-in-stage='
        f'"{age.days}"{" data-stale" if stale else ""} title="{esc(age.label)}">'
        f'<span aria-hidden="true">{esc(age.text)}</span>'
        + (
            f' <span class="stale-badge" aria-hidden="true"><span class="stale-icon">⏸</span> '
            f"{stale_word}</span>"
            if stale
            else ""
        )
        + f'<span class="visually-hidden">{esc(age.label)}</span></span>'
    )


# The badges' HTML by what decides it (days left and the thresholds, or days in stage and the
# limit, and the language): the same few hundred badges on every board page, each one some
# translations and string work to make. Bounded; emptied when full.
_BADGES: dict[tuple, str] = {}
_BADGES_MAX = 20_000


def _keep(key: tuple, badge: str) -> str:
    if len(_BADGES) >= _BADGES_MAX:
        _BADGES.clear()
    _BADGES[key] = badge
    return badge


class CardWriter:
    """Writes the cards of one board for one request; what every card shares is made once."""

    def __init__(self, request, board, *, filter_query: str = ""):
        self.board = board
        self.today = indicators.today()
        self.client = client_settings_of(request.user) if request is not None else None
        self.detail = _url_pattern("trajects:detail")
        self.relation = _url_pattern("crm:relation_detail")
        self.move = _url_pattern("board:move")
        # A follow-up planned from the card: the traject's Taken form (followups' URL, no import).
        self.task = _url_pattern("followups:traject")
        self.query = f"&amp;{esc(filter_query)}" if filter_query else ""
        self.words = {
            "lead": esc(_("lead")),
            "waarde": esc(_("Waarde")),
            "omzet": esc(_("Omzet")),
            "kans": esc(_("Kans")),
            "unassigned": esc(_("niet toegewezen")),
            "move": esc(_("Verplaats naar…")),
            "stale": esc(_("stilstaand")),
            "choose": esc(_("Kies de kolom")),
            "task": esc(_("Taak plannen")),
        }
        self.language = get_language()
        self.euro = whole_euros()

    def remaining(self, t) -> str:
        """The remaining-days badge: the same for every card with as many days left."""
        close = t.expected_close
        client = self.client
        key = (
            "left",
            self.language,
            None if close is None else (close - self.today).days,
            t.closed_at is None,
            client.remaining_days_orange,
            client.remaining_days_red,
        )
        badge = _BADGES.get(key)
        if badge is None:
            indicator = indicators.traject_remaining_days(
                t, today=self.today, client_settings=client
            )
            badge = _keep(key, _remaining(indicator))
        return badge

    def stage_age(self, t) -> str:
        """The days-in-stage badge: the same for every card with these days and this limit."""
        if t.closed_at is not None:
            return ""
        days = indicators.days_in_stage(t, self.today)
        limit = indicators.stale_limit(t)
        key = ("age", self.language, days, limit)
        badge = _BADGES.get(key)
        if badge is None:
            age = indicators.stage_age(t, today=self.today, limit=limit)
            badge = _keep(key, _stage_age(age, self.words["stale"]))
        return badge

    def card(self, card, *, moved: bool = False) -> str:
        t = card.traject
        pk = t.pk
        subject = esc(t.subject)
        words = self.words
        misplaced = card.misplaced
        classes = "board-card"
        if misplaced:
            classes += " misplaced"
        if card.closed:
            classes += " closed"
        if moved:
            classes += " moved"
        stage_id = "" if t.stage_id is None else t.stage_id
        relation = self.relation.replace(str(ROUTE_ID), str(t.relation_id))
        parts = [
            f'<li class="{classes}" id="kaart-{pk}" data-traject="{pk}" data-stage="{stage_id}" '
            f'tabindex="0" aria-labelledby="kaart-{pk}-onderwerp">',
            f'<a class="board-card-subject" id="kaart-{pk}-onderwerp" '
            f'href="{self.detail.replace(str(ROUTE_ID), str(pk))}" title="{subject}">{subject}</a>',
            f'<div class="board-card-relation"><a href="{relation}">{esc(t.relation_name)}</a>'
            + (f' <span class="badge lead">{words["lead"]}</span>' if t.is_lead else "")
            + "</div>",
        ]
        if misplaced == "inactive":
            parts.append(
                '<div class="board-card-flag">'
                + _("Stage “%(stage)s” is niet meer actief") % {"stage": esc(t.stage.name)}
                + "</div>"
            )
        elif misplaced == "unlinked":
            parts.append(
                '<div class="board-card-flag">'
                + _("Stage “%(stage)s” hoort niet bij deze business") % {"stage": esc(t.stage.name)}
                + "</div>"
            )
        value, weighted = self.euro(t.share_value) or "–", self.euro(t.share_weighted) or "–"
        parts.append(
            f'<dl class="board-card-figures"><div><dt>{words["waarde"]}</dt><dd>{esc(value)}</dd>'
            f"</div><div><dt>{words['omzet']}</dt><dd>{esc(weighted)}</dd></div><div><dt>"
            f"{words['kans']}</dt><dd>{t.probability}%</dd></div></dl>"
        )
        people = (
            "".join(
                f'<abbr title="{esc(name)}">{esc(letters)}</abbr>'
                for letters, name in card.initials
            )
            or f'<span class="muted">{words["unassigned"]}</span>'
        )
        remaining = self.remaining(t)
        age = self.stage_age(t)
        parts.append(
            f'<div class="board-card-foot"><span class="board-card-people">{people}</span>'
            f'<span class="board-card-signals">{remaining} {age}</span></div>'
        )
        if card.closed:
            day = date_format(t.closed_at, "SHORT_DATE_FORMAT") if t.closed_at else ""
            if t.closed_from_stage_id:
                text = _("Gesloten vanuit %(stage)s op %(date)s") % {
                    "stage": esc(card.closed_from),
                    "date": esc(day),
                }
            else:
                text = _("Gesloten op %(date)s") % {"date": esc(day)}
            parts.append(f'<div class="board-card-closed">{text}</div>')
        else:
            # "Verplaats naar…": its choices load when it opens (board/_move_menu.html).
            url = self.move.replace(str(ROUTE_ID), str(pk))
            seen = t.stage_id or NO_STAGE_PARAM
            href = f"{url}?seen={seen}{self.query}"
            parts.append(
                f'<details class="board-move" hx-get="{href}" hx-trigger="toggle once" '
                f'hx-target="find .board-move-body" hx-swap="innerHTML settle:0ms"><summary>'
                f'{words["move"]}<span class="visually-hidden"> ({subject})</span></summary>'
                f'<div class="board-move-body"><a href="{href}">{words["choose"]}</a></div>'
                f"</details>"
                f'<a class="board-card-task" href="{self.task.replace(str(ROUTE_ID), str(pk))}">'
                f'{words["task"]}<span class="visually-hidden"> ({subject})</span></a>'
            )
        parts.append("</li>")
        return "".join(parts)

    def cards(self, cards) -> SafeString:
        return mark_safe("".join(self.card(card) for card in cards))  # noqa: S308 -- escaped
