"""The browser reaches the trajects page through the login form."""

import pytest

from ..factories import TrajectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_reach_the_trajects_page(page, am, other_am):
    TrajectFactory(subject="Glazen deuren Utrecht", accountmanagers=[am])
    TrajectFactory(subject="Niet van mij", accountmanagers=[other_am])
    am.set_password("demo-pass-123")
    am.save()

    page.goto(page.base + "/sales/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", am.username)
    page.fill("#id_password", "demo-pass-123")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")
    assert page.locator("h1").first.inner_text() == "Trajecten"
    assert page.get_by_text("Glazen deuren Utrecht").is_visible()
    assert page.get_by_text("Niet van mij").count() == 0
    # htmx is served from our own static files and loaded.
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.version").startswith("2.")


def test_wrong_password_shows_a_message(page, am):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", am.username)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit].primary")
    assert page.locator("[role=alert]").is_visible()


def test_five_wrong_passwords_lock_the_account_with_a_dutch_message(page, am):
    am.set_password("demo-pass-123")
    am.save()
    for attempt in range(6):
        page.goto(page.base + "/accounts/login/")
        page.fill("#id_username", am.username)
        page.fill("#id_password", "demo-pass-123" if attempt == 5 else f"fout-{attempt}")
        page.click("button[type=submit].primary")
    assert "/accounts/login/" in page.url
    alert = page.locator("[role=alert]")
    assert "15 minuten geblokkeerd" in alert.inner_text()
    assert page.locator("#id_username").input_value() == am.username
