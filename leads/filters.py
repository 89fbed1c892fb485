"""The leads overview's criteria: keyword, 'Ook geconverteerde leads', pool only, sort."""

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.models import Contact, Relation

# URL value → ordering; each ends on the primary key so pages never overlap.
SORTS = {
    "subject": ("subject",),
    "relation": ("relation__name_normalised",),
    "lead_date": ("lead_date",),
    "lead_by": ("lead_by__first_name", "lead_by__last_name"),
    "business": ("business_type__order", "business_type__name"),
    "source": ("source__order", "source__name"),
    "value": ("value",),
    "converted_at": ("converted_at",),
}
DEFAULT_SORT = "-lead_date"
NOT_NULL = {"subject", "relation__name_normalised", "lead_date"}


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Trefwoord"), required=False, max_length=200)
    converted = forms.BooleanField(label=_("Ook geconverteerde leads"), required=False)
    pool = forms.BooleanField(label=_("Alleen niet toegewezen"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    @property
    def show_converted(self) -> bool:
        return self.is_bound and self.is_valid() and self.cleaned_data["converted"]

    @property
    def sort_key(self) -> str:
        """The chosen sort when it is one we know, else newest lead date first."""
        wanted = self.data.get("sort", "") if self.is_bound else ""
        return wanted if wanted.lstrip("-") in SORTS else DEFAULT_SORT

    def apply(self, queryset):
        """The leads (and converted ones when asked) matching the criteria, sorted."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if not data.get("converted"):
            queryset = queryset.leads()
        if data.get("pool"):
            queryset = queryset.unassigned()
        keyword = (data.get("q") or "").strip()
        if keyword:
            # Subqueries rather than joins: the relations and contacts that match are few.
            queryset = queryset.filter(
                Q(subject__icontains=keyword)
                | Q(relation__in=Relation.objects.matching(keyword).values("pk"))
                | Q(contact__in=Contact.objects.filter(last_name__icontains=keyword).values("pk"))
            )
        key = self.sort_key
        descending = key.startswith("-")
        order = []
        for name in SORTS[key.lstrip("-")]:
            if name in NOT_NULL:  # plain order, so the (lead_date, id) indexes serve it
                order.append(f"-{name}" if descending else name)
            else:  # empty values last both ways
                order.append(
                    F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
                )
        return queryset.order_by(*order, "-pk" if descending else "pk")
