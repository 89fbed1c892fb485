"""The detail page's confirmations and the Geschiedenis box (issue 14)."""

import html
import re

import pytest

from trajects.models import Traject

from ..factories import TrajectFactory
from .conftest import htmx, url

pytestmark = pytest.mark.django_db

HANDOVER_QUESTION = (
    "Dit traject doorschuiven naar de gekozen accountmanager? "
    "U gaat er zelf af en ziet het daarna niet meer."
)


def form_tag(page: str, action: str) -> str:
    """The opening <form …> tag that posts to `action`."""
    return re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>', page)[0]


class TestHandOverAsks:
    def test_doorschuiven_asks_as_mezelf_verwijderen_does(self, client_for, am, traject):
        page = client_for(am).get(url("detail", traject.pk)).text
        handover = html.unescape(form_tag(page, url("hand_over", traject.pk)))
        remove_me = form_tag(page, url("accountmanager_remove", traject.pk, am.pk))
        assert f'hx-confirm="{HANDOVER_QUESTION}"' in handover
        assert "hx-confirm=" in remove_me
        # both are htmx posts (hx-confirm only asks for those) into the same widget
        for tag in (handover, remove_me):
            assert "hx-post=" in tag and 'hx-target="#accountmanagers"' in tag

    def test_the_confirmed_handover_sends_him_to_his_overview(
        self, client_for, am, other_am, traject
    ):
        client = client_for(am)
        response = client.post(
            url("hand_over", traject.pk),
            {"overdragen-accountmanager": other_am.pk},
            headers=htmx("accountmanagers"),
        )
        assert response.status_code == 200 and response["HX-Redirect"] == url("list")
        assert list(Traject.objects.get(pk=traject.pk).accountmanagers.all()) == [other_am]
        assert client.get(url("detail", traject.pk)).status_code == 404

    def test_a_beheerder_who_still_sees_it_gets_the_widget_back(
        self, client_for, beheerder, other_am
    ):
        traject = TrajectFactory(accountmanagers=[beheerder])
        response = client_for(beheerder).post(
            url("hand_over", traject.pk),
            {"overdragen-accountmanager": other_am.pk},
            headers=htmx("accountmanagers"),
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="accountmanagers"')
        assert list(Traject.objects.get(pk=traject.pk).accountmanagers.all()) == [other_am]

    def test_bad_choice_comes_back_in_the_widget(self, client_for, am, traject):
        response = client_for(am).post(
            url("hand_over", traject.pk),
            {"overdragen-accountmanager": "999999"},
            headers=htmx("accountmanagers"),
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="accountmanagers"')
        assert "errorlist" in response.text or "error" in response.text


def test_geschiedenis_scrolls_in_its_own_box(client_for, am, traject):
    page = client_for(am).get(url("detail", traject.pk)).text
    section = page[page.index('<section id="geschiedenis"') :]
    section = section[: section.index("</section>")]
    box = section.index('class="scroll-box"')
    assert box < section.index("<table") < section.index("</table>") < section.index("</div>")
    assert "css/settings.css" in page  # where .scroll-box gets its overflow
