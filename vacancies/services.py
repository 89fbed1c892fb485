"""Writes on vacancies."""

from django.db import transaction

from .models import Vacancy


@transaction.atomic
def vacancy_create(*, created_by, title: str, relation=None, description: str = "") -> Vacancy:
    """A new vacancy; with a relation, a lead can be started from it (Sales Tracker)."""
    vacancy = Vacancy(
        title=" ".join(title.split()),
        relation=relation,
        description=description,
        created_by=created_by,
    )
    vacancy.full_clean()
    vacancy.save()
    return vacancy


@transaction.atomic
def vacancy_update(
    *, vacancy: Vacancy, title: str, relation=None, description: str = ""
) -> Vacancy:
    """Change a vacancy's title, relation or description."""
    vacancy.title = " ".join(title.split())
    vacancy.relation = relation
    vacancy.description = description
    vacancy.full_clean()
    vacancy.save()
    return vacancy
