import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.models import Contact, Relation
from leads import services
from settings_app.models import BusinessType, ClientSettings, Source
from trajects.models import DossierEntry, DossierKind, Traject, TrajectAccountmanager

from ..factories import (
    AccountmanagerFactory,
    ContactFactory,
    RelationFactory,
    TrajectFactory,
    VacancyFactory,
)

pytestmark = pytest.mark.django_db


def code(traject):
    return BusinessType.objects.get(pk=traject.business_type_id).code


class TestWhoGetsTheLead:
    def test_an_accountmanagers_lead_is_his_at_once(self, am):
        lead = services.lead_create(
            created_by=am, subject="Glazen deuren", relation=RelationFactory()
        )
        assert list(lead.accountmanagers.all()) == [am]
        assert lead.accountmanager_count == 1
        assert lead.converted_at is None
        assert not Traject.objects.unassigned().filter(pk=lead.pk).exists()
        assert Traject.objects.visible_to(am).leads().filter(pk=lead.pk).exists()

    def test_a_beheerders_lead_without_accountmanager_goes_to_the_pool(self, beheerder, am):
        lead = services.lead_create(
            created_by=beheerder, subject="Voor de pot", relation=RelationFactory()
        )
        assert lead.accountmanager_count == 0
        assert Traject.objects.unassigned().leads().filter(pk=lead.pk).exists()
        assert not Traject.objects.visible_to(am).filter(pk=lead.pk).exists()
        assert Traject.objects.visible_to(beheerder).filter(pk=lead.pk).exists()

    def test_a_beheerder_may_assign_several_accountmanagers(self, beheerder, am, other_am):
        lead = services.lead_create(
            created_by=beheerder,
            subject="Gedeeld",
            relation=RelationFactory(),
            accountmanagers=[am, other_am],
        )
        assert set(lead.accountmanagers.all()) == {am, other_am}
        assert lead.accountmanager_count == 2
        assert set(
            TrajectAccountmanager.objects.filter(traject=lead).values_list(
                "expected_close", flat=True
            )
        ) == {lead.expected_close}

    def test_a_user_with_neither_setting_cannot_create_leads(self, nobody):
        with pytest.raises(PermissionDenied, match="accountmanagers en sales beheerders"):
            services.lead_create(created_by=nobody, subject="x", relation=RelationFactory())
        assert not Traject.objects.exists()

    def test_an_accountmanager_cannot_put_a_lead_on_someone_else(self, am, other_am):
        with pytest.raises(ValidationError) as info:
            services.lead_create(
                created_by=am,
                subject="Niet voor Bob",
                relation=RelationFactory(),
                accountmanagers=[other_am],
            )
        assert "accountmanagers" in info.value.message_dict
        assert not Traject.objects.exists()

    def test_a_beheerder_cannot_assign_an_inactive_user(self, beheerder):
        gone = AccountmanagerFactory(is_active=False)
        with pytest.raises(ValidationError):
            services.lead_create(
                created_by=beheerder,
                subject="x",
                relation=RelationFactory(),
                accountmanagers=[gone],
            )
        assert not Traject.objects.exists()

    def test_a_beheerder_who_is_also_accountmanager_can_take_it_himself(self):
        both = AccountmanagerFactory(username="beide")
        from settings_app.services import user_settings_set

        user_settings_set(user=both, accountmanager=True, beheerder=True)
        lead = services.lead_create(
            created_by=both, subject="x", relation=RelationFactory(), accountmanagers=[both]
        )
        assert list(lead.accountmanagers.all()) == [both]


class TestDefaults:
    def test_existing_relation_defaults(self, am):
        settings = ClientSettings.load()
        settings.default_probability = 35
        settings.save()
        lead_date = datetime.date(2026, 3, 9)
        relation = RelationFactory()
        lead = services.lead_create(
            created_by=am,
            subject="  Nieuwe   glazen deuren  ",
            relation=relation,
            lead_date=lead_date,
        )
        assert lead.subject == "Nieuwe glazen deuren"
        assert code(lead) == "EB"
        assert lead.probability == 35
        assert lead.expected_close == lead_date
        assert lead.lead_date == lead_date
        assert lead.lead_by == am and lead.created_by == am
        assert lead.type.is_default
        assert lead.value is None
        entry = DossierEntry.objects.get(traject=lead)
        assert entry.kind == DossierKind.CREATED and entry.author == am

    def test_lead_date_defaults_to_today(self, am):
        lead = services.lead_create(created_by=am, subject="x", relation=RelationFactory())
        assert lead.lead_date == timezone.localdate() == lead.expected_close

    def test_new_relation_is_new_business_and_created_with_its_contact(self, am):
        lead = services.lead_create(
            created_by=am,
            subject="Nieuwe klant",
            new_relation={"name": "Glashandel Noël", "city": "Delft"},
            new_contact={"first_name": "Els", "last_name": "Vos", "email": "els@noel.nl"},
        )
        assert code(lead) == "NB"
        relation = Relation.objects.get(name="Glashandel Noël")
        assert relation.name_normalised == "glashandel noel"
        assert lead.relation == relation
        assert lead.contact == Contact.objects.get(relation=relation, last_name="Vos")

    def test_everything_given_is_kept(self, am, other_am):
        source = Source.objects.get(name="LinkedIn")
        nb = BusinessType.objects.get(code="NB")
        contact = ContactFactory()
        lead = services.lead_create(
            created_by=am,
            subject="x",
            relation=contact.relation,
            contact=contact,
            business_type=nb,
            source=source,
            probability=80,
            value=Decimal("12500.50"),
            expected_close=datetime.date(2027, 1, 31),
            lead_by=other_am,
        )
        lead.refresh_from_db()
        assert (lead.business_type, lead.source, lead.probability) == (nb, source, 80)
        assert lead.value == Decimal("12500.50") and lead.lead_by == other_am
        assert lead.expected_close == datetime.date(2027, 1, 31)


class TestBadInput:
    def test_a_failing_lead_leaves_no_new_relation_behind(self, am):
        with pytest.raises(ValidationError):
            services.lead_create(
                created_by=am,
                subject="x" * 10_000,
                new_relation={"name": "Half B.V."},
                new_contact={"last_name": "Half"},
            )
        assert not Relation.objects.filter(name="Half B.V.").exists()
        assert not Contact.objects.exists()

    def test_a_contact_of_another_relation_is_refused(self, am):
        with pytest.raises(ValidationError) as info:
            services.lead_create(
                created_by=am, subject="x", relation=RelationFactory(), contact=ContactFactory()
            )
        assert "contact" in info.value.message_dict

    def test_relation_is_needed_exactly_once(self, am):
        with pytest.raises(ValidationError):
            services.lead_create(created_by=am, subject="x")
        with pytest.raises(ValidationError):
            services.lead_create(
                created_by=am, subject="x", relation=RelationFactory(), new_relation={"name": "B"}
            )

    @pytest.mark.parametrize(
        "field, value",
        [("probability", 101), ("value", Decimal("-1")), ("value", Decimal("1e30"))],
    )
    def test_the_service_checks_values_itself(self, am, field, value):
        with pytest.raises(ValidationError) as info:
            services.lead_create(
                created_by=am, subject="x", relation=RelationFactory(), **{field: value}
            )
        assert field in info.value.message_dict
        assert not Traject.objects.exists()


class TestFromAVacancy:
    def test_the_vacancys_relation_is_used_and_the_vacancy_linked(self, am):
        vacancy = VacancyFactory()
        lead = services.lead_create(created_by=am, subject="Via vacature", vacancy=vacancy)
        assert lead.relation == vacancy.relation and lead.vacancy == vacancy
        assert code(lead) == "EB"

    def test_a_vacancy_without_relation_cannot_start_a_lead(self, am):
        vacancy = VacancyFactory(relation=None)
        with pytest.raises(ValidationError, match="Koppel eerst een relatie"):
            services.lead_create(created_by=am, subject="x", vacancy=vacancy)
        assert not Traject.objects.exists()

    def test_another_relation_than_the_vacancys_is_refused(self, am):
        with pytest.raises(ValidationError):
            services.lead_create(
                created_by=am, subject="x", vacancy=VacancyFactory(), relation=RelationFactory()
            )


class TestDistribution:
    def test_a_beheerder_gives_pool_leads_to_two_accountmanagers(self, beheerder, am, other_am):
        pool = [TrajectFactory(converted_at=None) for _ in range(3)]
        services.lead_distribute(
            leads=[p.pk for p in pool[:2]], accountmanagers=[am, other_am], by=beheerder
        )
        for lead in pool[:2]:
            lead.refresh_from_db()
            assert set(lead.accountmanagers.all()) == {am, other_am}
            assert lead.accountmanager_count == 2 and lead.converted_at is None
            assert DossierEntry.objects.filter(traject=lead, kind=DossierKind.SHARE).count() == 1
        assert list(Traject.objects.unassigned()) == [pool[2]]
        mine = set(Traject.objects.visible_to(am).leads())
        assert mine == set(pool[:2])

    def test_adding_keeps_who_is_already_on_the_lead(self, beheerder, am, other_am):
        lead = TrajectFactory(converted_at=None, accountmanagers=[am])
        services.lead_distribute(leads=[lead.pk], accountmanagers=[other_am], by=beheerder)
        assert set(lead.accountmanagers.all()) == {am, other_am}

    def test_an_accountmanager_may_not_distribute(self, am):
        lead = TrajectFactory(converted_at=None)
        with pytest.raises(PermissionDenied):
            services.lead_distribute(leads=[lead.pk], accountmanagers=[am], by=am)
        assert lead.accountmanagers.count() == 0

    def test_a_converted_lead_or_a_missing_one_is_refused_whole(self, beheerder, am):
        pool = TrajectFactory(converted_at=None)
        traject = TrajectFactory()
        for ids in ([pool.pk, traject.pk], [pool.pk, 999_999]):
            with pytest.raises(ValidationError):
                services.lead_distribute(leads=ids, accountmanagers=[am], by=beheerder)
        assert pool.accountmanagers.count() == 0

    def test_an_inactive_accountmanager_is_refused(self, beheerder):
        gone = AccountmanagerFactory(is_active=False)
        lead = TrajectFactory(converted_at=None)
        with pytest.raises(ValidationError):
            services.lead_distribute(leads=[lead.pk], accountmanagers=[gone], by=beheerder)


class TestSimilarRelations:
    @pytest.mark.parametrize(
        "existing, typed",
        [
            ("OTYS", "Otys B.V."),
            ("Janssen Bouw B.V.", "Jansen Bouw"),
            ("Café Noël", "cafe noel"),
            ("Glashandel de Vries", "Glashandel De Vries Holding"),
        ],
    )
    def test_close_names_are_found(self, existing, typed):
        relation = RelationFactory(name=existing)
        RelationFactory(name="Bakkerij Smit")
        assert Relation.objects.similar_to(typed) == [relation]

    def test_different_names_are_not(self):
        RelationFactory(name="Bakkerij Smit")
        RelationFactory(name="Otys")
        assert Relation.objects.similar_to("Glashandel de Vries") == []
        assert Relation.objects.similar_to("ab") == []
