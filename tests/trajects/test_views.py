import pytest
from django.urls import reverse

from ..factories import TrajectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def trajects(am, other_am):
    return {
        "mine": TrajectFactory(subject="Mijn traject", accountmanagers=[am]),
        "theirs": TrajectFactory(subject="Zijn traject", accountmanagers=[other_am]),
        "pool": TrajectFactory(subject="Pool lead", converted_at=None),
    }


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("trajects:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_accountmanager_sees_his_own_traject_only(client_for, am, trajects):
    response = client_for(am).get(reverse("trajects:list"))
    assert response.status_code == 200
    assert "Mijn traject" in response.text
    assert "Zijn traject" not in response.text
    assert "Pool lead" not in response.text


def test_beheerder_sees_every_traject(client_for, beheerder, trajects):
    response = client_for(beheerder).get(reverse("trajects:list"))
    assert "Mijn traject" in response.text and "Zijn traject" in response.text
    assert "Pool lead" not in response.text  # a lead, not a traject


def test_detail_is_404_for_someone_elses_traject(client_for, am, trajects):
    client = client_for(am)
    assert client.get(reverse("trajects:detail", args=[trajects["mine"].pk])).status_code == 200
    assert client.get(reverse("trajects:detail", args=[trajects["theirs"].pk])).status_code == 404
    assert client.get(reverse("trajects:detail", args=[trajects["pool"].pk])).status_code == 404
    assert client.get(reverse("trajects:detail", args=[999999])).status_code == 404


def test_beheerder_opens_any_detail(client_for, beheerder, trajects):
    client = client_for(beheerder)
    for traject in trajects.values():
        assert client.get(reverse("trajects:detail", args=[traject.pk])).status_code == 200


def test_htmx_overview_request_gets_only_the_fragment(client_for, am, trajects):
    response = client_for(am).get(
        reverse("trajects:list"), headers={"HX-Request": "true", "HX-Target": "overview"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form id="overview"')
    assert "<html" not in response.text
    assert "Mijn traject" in response.text


def test_bad_page_number_still_renders(client_for, am, trajects):
    for page in ("-1", "abc", "99999"):
        response = client_for(am).get(reverse("trajects:list"), {"page": page})
        assert response.status_code == 200


def test_list_query_count_does_not_grow_with_rows(client_for, am):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(am)
    TrajectFactory.create_batch(3, accountmanagers=[am])
    client.get(reverse("trajects:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("trajects:list"))
    TrajectFactory.create_batch(20, accountmanagers=[am])
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("trajects:list"))
    assert len(more.captured_queries) == len(few.captured_queries)


def test_dutch_by_default_and_english_on_request(client_for, am):
    client = client_for(am)
    assert "Sluiting verwacht" in client.get(reverse("trajects:list")).text
    client.post(reverse("set_language"), {"language": "en", "next": "/sales/"})
    assert "Expected close" in client.get(reverse("trajects:list")).text


def test_dutch_even_when_the_browser_prefers_english(client_for, am):
    response = client_for(am).get(reverse("trajects:list"), headers={"Accept-Language": "en-US"})
    assert "Sluiting verwacht" in response.text
    assert '<html lang="nl">' in response.text
