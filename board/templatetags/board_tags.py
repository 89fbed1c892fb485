"""The way from the trajects overview to the board with the same selection."""

from django import template
from django.urls import reverse

from ..filters import board_query_from_overview

register = template.Library()


@register.simple_tag(takes_context=True)
def board_url_from_overview(context) -> str:
    """The board's URL with the overview's business type, accountmanager, source, keyword and
    months × years (the overview's current month when it shows its default)."""
    request = context["request"]
    query = board_query_from_overview(request.GET)
    return f"{reverse('board:index')}?{query.urlencode()}" if query else reverse("board:index")


@register.simple_tag(takes_context=True)
def board_cards(context, cards):
    """The cards' <li>s, written by board.render (the markup of board/_card.html, faster)."""
    from ..render import CardWriter

    board = context["board"]
    key = ("board_cards", id(board))
    writer = context.render_context.get(key)
    if writer is None:
        writer = CardWriter(
            context.get("request"),
            board,
            filter_query=context.get("filter_query") or "",
        )
        context.render_context[key] = writer
    return writer.cards(cards)
