"""The key-user's Instellingen screen in a browser: the live preview and the regenerate button."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, keyuser):
    keyuser.set_password("key-pass-123")
    keyuser.save()
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", keyuser.username)
    page.fill("#id_password", "key-pass-123")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")
    return page


def test_the_ranges_preview_follows_the_typing(logged_in):
    page = logged_in
    page.goto(page.base + "/instellingen/settings_app/clientsettings/")
    preview = page.locator("#price-range-preview")
    assert "0 – 500 · 500 – 1.000 · 1.000 – 5.000 · 5.000 en meer" in preview.inner_text()
    field = page.locator("#id_price_range_thresholds")
    field.fill("1000,500")
    page.wait_for_function(
        "document.querySelector('#price-range-preview').innerText.includes('van laag naar hoog')"
    )
    field.fill("250,2500")
    page.wait_for_function(
        "document.querySelector('#price-range-preview').innerText.includes('2.500 en meer')"
    )
    assert preview.inner_text() == "Dit geeft de ranges: 0 – 250 · 250 – 2.500 · 2.500 en meer"


def test_the_regenerate_button(logged_in, celery_eager):
    page = logged_in
    page.goto(page.base + "/instellingen/trajects/statisticsset/")
    assert "Nog niet gegenereerd" in page.locator("#progress").inner_text()
    page.get_by_role("button", name="Nu opnieuw genereren").click()
    page.wait_for_function(
        "document.querySelector('#last-generated').innerText.includes('Laatst gegenereerd')"
    )
    assert page.locator("#statistics-overall").count() == 1
