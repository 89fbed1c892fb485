"""Issue 14 in a browser: a date filled through the picker, Doorschuiven asks first, the
Geschiedenis box at 1280 px, and Instellingen's widgets in Dutch."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from settings_app.models import BusinessType
from trajects.models import Traject

from ..factories import AccountmanagerFactory, ContactFactory, TrajectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-123"


@pytest.fixture
def english_browser_page(chromium, live_server):
    """A browser whose own locale is American English: the page's language must win."""
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    yield page
    context.close()


def log_in(page, user):
    user.set_password(PASSWORD)
    user.save()
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")


def settled(page):
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)


def test_a_date_filled_through_the_picker(english_browser_page, am):
    page = english_browser_page
    contact = ContactFactory()
    traject = TrajectFactory(
        accountmanagers=[am],
        relation=contact.relation,
        contact=contact,
        expected_close=datetime.date(2026, 12, 2),
        lead_date=datetime.date(2026, 11, 20),
    )
    log_in(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/")
    expect(page.locator("#info-expected_close a")).to_have_text("02-12-2026")
    page.click("#info-expected_close a")
    field = page.locator("#id_expected_close")
    expect(field).to_have_value("02-12-2026")  # the page's notation, not the browser's
    assert field.get_attribute("type") == "text"

    # The mouse: next month, the 15th.
    page.click("#informatie .datepicker-toggle >> nth=0")
    calendar = page.locator(".datepicker")
    expect(calendar.locator(".datepicker-title")).to_have_text("december 2026")
    expect(calendar.locator('button[aria-pressed="true"]')).to_have_text("2")
    calendar.get_by_role("button", name="Volgende maand").click()
    expect(calendar.locator(".datepicker-title")).to_have_text("januari 2027")
    calendar.locator('button[data-date="2027-01-15"]').click()
    expect(calendar).to_have_count(0)
    expect(field).to_have_value("15-01-2027")
    expect(field).to_be_focused()

    # The keyboard: a week back, a day on, Enter; Escape closes without a change.
    page.click("#informatie .datepicker-toggle >> nth=0")
    expect(page.locator(".datepicker td button:focus")).to_have_attribute("data-date", "2027-01-15")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(field).to_have_value("09-01-2027")
    page.click("#informatie .datepicker-toggle >> nth=0")
    page.keyboard.press("Escape")
    expect(page.locator(".datepicker")).to_have_count(0)
    expect(field).to_have_value("09-01-2027")

    page.click("#informatie button.primary")
    expect(page.locator("#info-expected_close a")).to_have_text("09-01-2027")
    assert Traject.objects.get(pk=traject.pk).expected_close == datetime.date(2027, 1, 9)


def test_a_bad_date_comes_back_beside_the_field(page, am):
    traject = TrajectFactory(accountmanagers=[am], expected_close=datetime.date(2026, 12, 2))
    log_in(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/")
    page.click("#info-expected_close a")
    page.fill("#id_expected_close", "31-02-2026")
    page.click("#informatie button.primary")
    expect(page.locator("#id_expected_close_error")).to_contain_text("geldige datum")
    expect(page.locator("#id_expected_close")).to_have_value("31-02-2026")  # kept as typed
    assert Traject.objects.get(pk=traject.pk).expected_close == datetime.date(2026, 12, 2)


def test_doorschuiven_asks_first(page, am, other_am):
    traject = TrajectFactory(subject="Glazen deuren", accountmanagers=[am])
    log_in(page, am)
    detail = f"{page.base}/sales/{traject.pk}/"
    page.goto(detail)
    page.select_option("#id_overdragen-accountmanager", str(other_am.pk))
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("#accountmanagers button:text-is('Doorschuiven')")
    expect(page.locator("#accountmanagers")).to_be_visible()
    assert questions and "doorschuiven" in questions[0]
    settled(page)
    assert list(Traject.objects.get(pk=traject.pk).accountmanagers.all()) == [am]

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#accountmanagers button:text-is('Doorschuiven')")
    page.wait_for_url(page.base + "/sales/")
    expect(page.locator(".messages")).to_contain_text("is overgedragen aan")
    assert list(Traject.objects.get(pk=traject.pk).accountmanagers.all()) == [other_am]


def test_geschiedenis_fits_its_card_at_1280(english_browser_page, am):
    page = english_browser_page
    contact = ContactFactory()
    others = [
        AccountmanagerFactory(first_name=f"Wilhelmina{i}", last_name="Van Oldenbarnevelt")
        for i in range(3)
    ]
    for i in range(6):
        TrajectFactory(
            subject=f"Werving en selectie van technisch personeel voor project {i} Noordzeekanaal",
            relation=contact.relation,
            accountmanagers=[am, *others],
            value=Decimal("1234567.89"),
        )
    traject = Traject.objects.filter(relation=contact.relation).first()
    log_in(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/")
    card = page.locator("#geschiedenis")
    expect(card.locator("tbody tr")).to_have_count(6)
    fits = card.evaluate(
        """card => {
            const box = card.getBoundingClientRect();
            const scroller = card.querySelector('.scroll-box').getBoundingClientRect();
            return {
                card: card.scrollWidth <= card.clientWidth + 1,
                inside: scroller.right <= box.right + 1,
                page: document.documentElement.scrollWidth <= window.innerWidth,
            };
        }"""
    )
    assert fits == {"card": True, "inside": True, "page": True}


def test_the_settings_choosers_speak_dutch(page, keyuser):
    BusinessType.objects.get_or_create(name="Uitzendwerk", code="UW")
    log_in(page, keyuser)
    page.goto(page.base + "/instellingen/settings_app/stage/add/")
    expect(page.locator("header.topbar")).to_be_visible()
    chooser = page.locator(".selector")
    expect(chooser).to_be_visible()
    text = chooser.inner_text() + " ".join(
        chooser.locator("[title]").evaluate_all("els => els.map(e => e.title)")
    )
    assert "Geselecteerde business types kiezen" in text
    assert "Choose" not in text and "Remove" not in text
