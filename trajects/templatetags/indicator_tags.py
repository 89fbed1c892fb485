"""The remaining-days indicator and days in stage in templates (trajects.indicators decides).

    {% load indicator_tags %}
    {% remaining_days_badge traject %}           the badge, or nothing for won/lost
    {% remaining_days_of traject as indicator %} the Indicator itself
    {% days_in_stage_badge traject %}            "N dagen in stage", and "stilstaand" past
                                                 the stage's limit (reads traject.stage; pass
                                                 limit=… when the stage is known)
    {% stage_age_of traject as age %}            the StageAge itself
    {% include "trajects/_remaining_days.html" with indicator=… %}  the same badges from
    {% include "trajects/_days_in_stage.html" with age=… %}         an Indicator / StageAge

The client's thresholds are read once per request (settings_app.roles.client_settings_of keeps
them on the user), so a page of cards or rows costs no query per row.
"""

from django import template

from settings_app.models import ClientSettings
from settings_app.roles import client_settings_of

from .. import badges, indicators

register = template.Library()


def _client_settings(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return client_settings_of(user)
    return ClientSettings.load()


@register.simple_tag(takes_context=True)
def remaining_days_of(context, traject):
    """The traject's Indicator (None when won or lost)."""
    return indicators.traject_remaining_days(
        traject, today=indicators.today(), client_settings=_client_settings(context)
    )


@register.simple_tag(takes_context=True)
def remaining_days_badge(context, traject):
    """The remaining-days badge of a traject: icon, text and accessible name."""
    return badges.remaining_days_html(remaining_days_of(context, traject))


@register.simple_tag
def remaining_days_html(indicator):
    """The badge of an Indicator already worked out."""
    return badges.remaining_days_html(indicator)


@register.simple_tag
def stage_age_of(traject, limit=indicators.FROM_STAGE):
    """The traject's StageAge (None when won or lost)."""
    return indicators.stage_age(traject, today=indicators.today(), limit=limit)


@register.simple_tag
def days_in_stage_badge(traject, limit=indicators.FROM_STAGE):
    """ "N dagen in stage", with a "stilstaand" badge past the stage's limit."""
    return badges.days_in_stage_html(stage_age_of(traject, limit))


@register.simple_tag
def days_in_stage_html(age):
    """The days-in-stage badge of a StageAge already worked out."""
    return badges.days_in_stage_html(age)
