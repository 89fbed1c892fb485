"""Stored files are never served from /media/, not even with DEBUG (`make run`).

Under pytest DEBUG is off when salesmodule.urls loads, so these tests build the URLconf again
with DEBUG on, as `make run` does.
"""

import importlib.util
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from quotes import services
from settings_app.models import ClientSettings
from trajects.services import traject_accountmanager_add, traject_accountmanager_remove

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urlconf(settings):
    """salesmodule.urls as it is built with DEBUG on, used for every request of the test."""
    settings.DEBUG = True
    spec = importlib.util.find_spec("salesmodule.urls")
    urlconf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(urlconf)
    settings.ROOT_URLCONF = urlconf
    return urlconf


def test_a_removed_accountmanager_gets_no_quote_pdf_by_its_name(
    debug_urlconf, client_for, am, other_am, beheerder, traject, quote
):
    # other_am shares the traject and sends its quote, so he learns the PDF's name ...
    traject_accountmanager_add(traject=traject, user=beheerder, accountmanager=other_am)
    sent = services.quote_send(quote=quote, user=other_am)
    name = sent.pdf.name
    assert name.startswith("quotes/") and name.endswith(".pdf")
    browser = client_for(other_am)
    assert browser.get(reverse("quotes:pdf", args=[sent.pk])).status_code == 200
    # ... and is then taken off the traject.
    traject_accountmanager_remove(traject=traject, user=beheerder, accountmanager=other_am)

    assert browser.get(f"/media/{name}").status_code == 404
    assert browser.get(reverse("quotes:pdf", args=[sent.pk])).status_code == 404
    assert browser.get(reverse("quotes:download", args=[sent.pk])).status_code == 404

    response = client_for(am).get(reverse("quotes:pdf", args=[sent.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert client_for(am).get(f"/media/{name}").status_code == 404, "only the quote's URLs"


def test_no_url_serves_media_root_with_debug_on(debug_urlconf, client_for, beheerder):
    default_storage.save("quotes/2026/x.pdf", ContentFile(b"%PDF-1"))
    response = client_for(beheerder).get("/media/quotes/2026/x.pdf")
    assert response.status_code == 404


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#16803c").save(buffer, "PNG")
    return buffer.getvalue()


def test_the_settings_screen_shows_the_logo_through_its_own_url(debug_urlconf, client_for, keyuser):
    client = ClientSettings.load()
    client.agency_logo.save("logo.png", ContentFile(png()))
    browser = client_for(keyuser)
    form = browser.get(reverse("admin:settings_app_clientsettings_change", args=[client.pk]))
    logo_url = reverse("admin:settings_app_clientsettings_logo")
    page = form.content.decode()
    assert f'href="{logo_url}"' in page and "/media/" not in page

    response = browser.get(logo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png()


def test_the_logo_url_is_for_keyusers_only(debug_urlconf, client_for, am):
    ClientSettings.load().agency_logo.save("logo.png", ContentFile(png()))
    assert client_for(am).get(reverse("admin:settings_app_clientsettings_logo")).status_code == 404


def test_without_a_logo_the_logo_url_is_404(client_for, keyuser):
    response = client_for(keyuser).get(reverse("admin:settings_app_clientsettings_logo"))
    assert response.status_code == 404
