"""The leads overview's filter: the trajects overview's (trajects.filters), on the lead date.

Manual 4.1 applies the date filter and the criteria to "trajecten en leads": the same filterset,
with the criteria that mean something for a lead, plus "Ook geconverteerde leads" and (for the
beheerder) "Alleen niet toegewezen". Unlike the trajects overview it opens on every date: the
leads are a queue to work through, not a month's pipeline.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from trajects.filters import OverviewFilter

# A lead has no first visit yet (DESIGN rule 8: only once it is a traject) and is open (type
# Prospect): those criteria would only ever show everything or nothing.
CRITERIA = [
    "q",
    "relation",
    "accountmanager",
    "business_type",
    "source",
    "stage",
    "price_range",
    "lead_by",
    "probability_min",
    "probability_max",
]


class CheckFilter(django_filters.Filter):
    """A checkbox: on or off (an unknown value is off)."""

    field_class = forms.BooleanField


class LeadOverviewFilter(OverviewFilter):
    """The criteria of the leads overview; its queryset is visible_to(user), leads and trajects
    alike ("Ook geconverteerde leads" decides)."""

    date_field = "lead_date"
    criteria = CRITERIA
    keyword_name = "q"
    checkbox_names = ("business_type", "source", "stage")
    opens_on_current_month = False

    # The leads overview's keyword has always been ?q= (bookmarks and the search box).
    keyword = None
    q = django_filters.CharFilter(label=_("Trefwoord"), method="filter_keyword")
    type = None
    first_visit = None
    converted = CheckFilter(label=_("Ook geconverteerde leads"), method="filter_nothing")
    pool = CheckFilter(label=_("Alleen niet toegewezen"), method="filter_nothing")

    @property
    def show_converted(self) -> bool:
        return bool(self.form.cleaned_data.get("converted"))

    @property
    def pool_only(self) -> bool:
        """Only the marketing pot: a beheerder's choice (an accountmanager sees none of it)."""
        return bool(self.form.cleaned_data.get("pool")) and self.roles.beheerder

    @property
    def keyword_value(self) -> str:
        return self.form.cleaned_data.get("q") or ""

    def filter_queryset(self, queryset):
        if not self.show_converted:
            queryset = queryset.leads()
        if self.pool_only:
            queryset = queryset.unassigned()
        return super().filter_queryset(queryset)
