"""factory_boy factories for the Sales Module's models."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from crm.models import Appointment, AppointmentKind, Contact, Relation
from followups.models import Task
from settings_app.models import BusinessType, TrajectType
from settings_app.services import user_settings_set
from trajects.models import Traject, TrajectAccountmanager
from trajects.services import traject_accountmanagers_set
from vacancies.models import Vacancy


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.django.Password("secret-pass-123")


class AccountmanagerFactory(UserFactory):
    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        user_settings_set(user=obj, accountmanager=True)


class BeheerderFactory(UserFactory):
    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        user_settings_set(user=obj, beheerder=True)


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    name = factory.Sequence(lambda n: f"Relatie {n} B.V.")
    city = "Utrecht"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    relation = factory.SubFactory(RelationFactory)
    first_name = "Jan"
    last_name = factory.Sequence(lambda n: f"Contact{n}")


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    title = factory.Sequence(lambda n: f"Vacature {n}")
    relation = factory.SubFactory(RelationFactory)


class TrajectFactory(factory.django.DjangoModelFactory):
    """A converted traject by default; pass converted_at=None for a lead.

    `accountmanagers=[...]` assigns through the domain function, keeping the counts right.
    """

    class Meta:
        model = Traject
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Traject {n}")
    relation = factory.SubFactory(RelationFactory)
    business_type = factory.LazyFunction(lambda: BusinessType.objects.get(code="EB"))
    type = factory.LazyFunction(lambda: TrajectType.objects.get(is_default=True))
    probability = 50
    value = Decimal("1000.00")
    expected_close = factory.LazyFunction(timezone.localdate)
    lead_date = factory.LazyFunction(timezone.localdate)
    converted_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))

    @factory.post_generation
    def accountmanagers(obj, create, extracted, **kwargs):
        if create and extracted:
            traject_accountmanagers_set(traject=obj, users=extracted)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    owner = factory.SubFactory(AccountmanagerFactory)
    start = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))
    kind = AppointmentKind.VISIT


class TaskFactory(factory.django.DjangoModelFactory):
    """An open task on a traject, assigned to (and made by) its first accountmanager unless
    given; `due_on` defaults to today, so tests about groups give it explicitly."""

    class Meta:
        model = Task

    traject = factory.SubFactory(TrajectFactory)
    title = factory.Sequence(lambda n: f"Taak {n}")
    due_on = factory.LazyFunction(timezone.localdate)
    assignee = factory.LazyAttribute(
        lambda task: (
            getattr(
                TrajectAccountmanager.objects.filter(traject=task.traject)
                .order_by("position", "pk")
                .select_related("user")
                .first(),
                "user",
                None,
            )
            or AccountmanagerFactory()
        )
    )
    created_by = factory.LazyAttribute(lambda task: task.assignee)
