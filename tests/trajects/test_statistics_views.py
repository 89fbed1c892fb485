"""The statistics on screen: the settings screen's page with its button, the beheerder's page,
and the statistische kans on the detail page."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from settings_app.models import TrajectType
from trajects.models import StatisticsRegeneration, StatisticsSet
from trajects.services import statistics_regenerate

from ..factories import TrajectFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

PAGE = "admin:trajects_statisticsset_changelist"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def closed(am, other_am):
    order, lost = TrajectType.objects.get(name="Order"), TrajectType.objects.get(name="Lost")
    TrajectFactory(accountmanagers=[am], type=order, value=Decimal("2000"), probability=90)
    TrajectFactory(accountmanagers=[am], type=lost, value=Decimal("3000"), probability=70)
    TrajectFactory(accountmanagers=[other_am], type=order, value=Decimal("100"), probability=40)


class TestSettingsScreenPage:
    def test_keyuser_sees_last_generated_and_the_figures(self, client_for, keyuser, closed):
        statistics_set = statistics_regenerate()
        page = text(client_for(keyuser).get(reverse(PAGE)))
        assert "Laatst gegenereerd:" in page and "(prijs ranges 500,1000,5000)" in page
        overall = re.search(r'id="statistics-overall".*?</table>', page, re.S).group(0)
        assert "1.000 – 5.000" in overall and "5.000 en meer" in overall
        assert "50,0%" in overall  # one won, one lost in 1000–5000
        assert "Per accountmanager" in page
        assert statistics_set.generated_at is not None

    def test_before_the_first_generation(self, client_for, keyuser):
        page = text(client_for(keyuser).get(reverse(PAGE)))
        assert "Nog niet gegenereerd voor de huidige prijs ranges." in page
        assert "Nu opnieuw genereren" in page

    def test_the_button_without_javascript(
        self, client_for, keyuser, closed, django_capture_on_commit_callbacks
    ):
        client = client_for(keyuser)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("admin:trajects_statisticsset_regenerate"))
        assert response.status_code == 302 and response["Location"] == reverse(PAGE)
        # without REDIS_URL the task runs at once (on commit): the figures are there
        assert StatisticsSet.objects.count() == 1
        regeneration = StatisticsRegeneration.objects.get()
        assert regeneration.requested == 1 and regeneration.requested_by == keyuser
        assert StatisticsSet.objects.get().request_number == 1
        page = text(client.get(reverse(PAGE)))
        assert "De statistieken worden opnieuw gegenereerd." in page
        assert "Laatst gegenereerd:" in page

    def test_the_button_with_htmx_shows_progress_then_reloads_when_done(
        self, client_for, keyuser, closed, django_capture_on_commit_callbacks
    ):
        client = client_for(keyuser)
        htmx = {"HX-Request": "true", "HX-Target": "progress"}
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(reverse("admin:trajects_statisticsset_regenerate"), headers=htmx)
        body = text(response)
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="progress"') and "<html" not in body
        assert "In de wachtrij" in body and 'hx-trigger="every 1s"' in body
        assert "HX-Refresh" not in response
        queued[0]()  # the commit queues the task (run at once without REDIS_URL)
        response = client.get(reverse("admin:trajects_statisticsset_progress"), headers=htmx)
        assert "Laatst gegenereerd:" in text(response)
        assert 'hx-trigger="every 1s"' not in text(response)
        assert response["HX-Refresh"] == "true"  # done: reload to show the new figures

    def test_progress_while_queued_polls(self, client_for, keyuser, closed):
        statistics_regenerate()
        StatisticsRegeneration.objects.create(pk=1, requested=5, task_id="")  # asked, not run
        response = client_for(keyuser).get(
            reverse("admin:trajects_statisticsset_progress"),
            headers={"HX-Request": "true", "HX-Target": "progress"},
        )
        body = text(response)
        assert "In de wachtrij" in body
        assert 'hx-trigger="every 1s"' in body
        assert "HX-Refresh" not in response
        assert "disabled" in body  # no second click while one waits

    def test_regenerate_is_post_only(self, client_for, keyuser):
        response = client_for(keyuser).get(reverse("admin:trajects_statisticsset_regenerate"))
        assert response.status_code == 405


class TestStatisticsPageForSales:
    def test_beheerder_sees_every_accountmanager(self, client_for, beheerder, am, other_am, closed):
        statistics_regenerate()
        page = text(client_for(beheerder).get(reverse("trajects:statistics")))
        assert "Per accountmanager" in page
        assert am.get_full_name() in page and other_am.get_full_name() in page

    def test_accountmanager_sees_himself_and_the_overall_only(
        self, client_for, am, other_am, closed
    ):
        statistics_regenerate()
        page = text(client_for(am).get(reverse("trajects:statistics")))
        assert am.get_full_name() in page
        assert other_am.get_full_name() not in page
        assert 'id="statistics-overall"' in page

    def test_a_user_without_sales_role_gets_404(self, client_for, nobody, keyuser):
        assert client_for(nobody).get(reverse("trajects:statistics")).status_code == 404
        assert client_for(keyuser).get(reverse("trajects:statistics")).status_code == 404

    def test_without_statistics(self, client_for, beheerder):
        page = text(client_for(beheerder).get(reverse("trajects:statistics")))
        assert "Er zijn nog geen statistieken" in page


class TestDetailPage:
    def test_statistische_kans_next_to_the_entered_kans(self, client_for, am, closed):
        statistics_regenerate()
        traject = TrajectFactory(accountmanagers=[am], value=Decimal("1500"), probability=80)
        page = text(client_for(am).get(reverse("trajects:detail", args=[traject.pk])))
        found = re.search(r'id="statistical-probability">(.*?)</dd>', page, re.S).group(1)
        assert "50%" in found and "alle accountmanagers" in found
        assert "80%" in page  # the entered kans, untouched

    def test_without_statistics_a_dash(self, client_for, am):
        traject = TrajectFactory(accountmanagers=[am])
        page = text(client_for(am).get(reverse("trajects:detail", args=[traject.pk])))
        assert re.search(r'id="statistical-probability">–</dd>', page)
