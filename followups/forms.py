"""The task form of the detail page's Taken widget: it parses input; the rules are services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesmodule.fields import DateField, DateInput
from settings_app.roles import person_name
from trajects.models import Traject, TrajectAccountmanager

from .models import TITLE_MAX


class TaskForm(forms.Form):
    """A new task: title, due date (and optionally a time), assignee."""

    title = forms.CharField(label=_("Taak"), max_length=TITLE_MAX)
    due_on = DateField(label=_("Vervaldatum"), widget=DateInput)
    due_time = forms.TimeField(
        label=_("Tijd"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    assignee = forms.ModelChoiceField(
        label=_("Voor"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, data=None, *, traject: Traject, user, **kwargs):
        kwargs.setdefault("auto_id", "taak-%s")  # ids unique beside the page's other forms
        super().__init__(data, initial={"assignee": user.pk}, **kwargs)
        links = TrajectAccountmanager.objects.filter(traject=traject).values("user_id")
        field = self.fields["assignee"]
        # The traject's accountmanagers, and the creator himself (a beheerder's own task).
        field.queryset = (
            get_user_model()
            .objects.filter(Q(pk__in=links) | Q(pk=user.pk))
            .order_by("first_name", "last_name", "username")
        )
        field.label_from_instance = person_name
        field.empty_label = None
