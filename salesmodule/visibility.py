"""The one visibility rule of DESIGN.md, as a QuerySet mixin every traject-hung model uses.

A sales beheerder sees every traject that is not deleted; anyone else sees the trajects he is
assigned to. A model that hangs on a traject declares `traject_path` (the lookup from it to its
traject, e.g. "traject" for a quote) and inherits `visible_to(user)`.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from settings_app.roles import roles_of


class VisibleQuerySet(QuerySet):
    traject_path = "traject"  # lookup from this model to its Traject; "" for Traject itself

    def _prefix(self) -> str:
        return f"{self.traject_path}__" if self.traject_path else ""

    def visible_to(self, user) -> "QuerySet":
        """Only the rows the user may see (DESIGN.md, 'Who uses it')."""
        roles = roles_of(user)
        prefix = self._prefix()
        alive = Q(**{f"{prefix}deleted_at__isnull": True})
        if roles.beheerder:
            return self.filter(alive)
        if not roles.accountmanager:
            return self.none()
        link_model = self.model._meta.apps.get_model("trajects", "TrajectAccountmanager")
        assigned = link_model.objects.filter(
            traject_id=OuterRef(f"{prefix}id" if prefix else "pk"), user=user
        )
        return self.filter(alive, Exists(assigned))

    def visible_to_their(self, user_field: str) -> "QuerySet":
        """visible_to for many users at once: the rows that the user in `user_field` (e.g. a
        task's "assignee") may see, by the same rule, in one query (the daily task e-mail)."""
        prefix = self._prefix()
        link_model = self.model._meta.apps.get_model("trajects", "TrajectAccountmanager")
        assigned = link_model.objects.filter(
            traject_id=OuterRef(f"{prefix}id" if prefix else "pk"), user=OuterRef(user_field)
        )
        settings = f"{user_field}__sales_settings__"
        return self.filter(
            Q(**{f"{prefix}deleted_at__isnull": True}),
            Q(**{f"{settings}is_beheerder": True})
            | (Q(**{f"{settings}is_accountmanager": True}) & Exists(assigned)),
        )
