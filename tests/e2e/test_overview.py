"""The trajects overview in a browser: htmx updates without a reload, the back button restores."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ..factories import TrajectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def defaults(transactional_db):
    """A transactional test empties the tables after each test: put the client defaults back."""
    from importlib import import_module

    from django.apps import apps

    import_module("settings_app.migrations.0002_defaults").create_defaults(apps, None)


def login(page, user):
    user.set_password("demo-pass-123")
    user.save()
    page.goto(page.base + "/accounts/login/?next=/sales/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "demo-pass-123")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")


def choose_month(page, month: datetime.date, instead_of: datetime.date):
    """In the filter panel: one click on the new month's chip, one on the old one's (and the
    same for the years when they differ). Each click is a step in the history: the address and
    the table's text after each, the last first (what going back shows, step by step)."""
    panel = page.locator("#filters")
    if not panel.evaluate("el => el.open"):
        page.click("#filters > summary")
    clicks = [f"month-{month.month}", f"month-{instead_of.month}"]
    shown = [(page.url, page.inner_text("#traject-table tbody"))]
    if month.year != instead_of.year:
        clicks += [f"year-{month.year}", f"year-{instead_of.year}"]
    for chip in clicks:
        checked = page.is_checked(f"#{chip}")
        left = page.url
        page.click(f"label[for={chip}]")
        page.wait_for_function(
            f"document.querySelector('#{chip}').checked === {'false' if checked else 'true'}"
        )
        # Its answer swapped in and its address pushed before the next click: a click during
        # the request replaces it (hx-sync), and the history would hold fewer steps than clicks.
        page.wait_for_function("(left) => location.href !== left", arg=left)
        shown.append((page.url, page.inner_text("#traject-table tbody")))
    return shown[::-1]


def test_month_filter_updates_table_and_totals_in_place_and_back_restores(page, am):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    TrajectFactory(subject="Deze maand", value=Decimal("1000"), probability=50,
                   expected_close=this_month, accountmanagers=[am])  # fmt: skip
    TrajectFactory(subject="Vorige maand", value=Decimal("3000"), probability=20,
                   expected_close=last_month, accountmanagers=[am])  # fmt: skip
    login(page, am)
    table, page_totals, all_totals = (
        page.locator("#traject-table tbody"),
        page.locator("#page-totals"),
        page.locator("#all-totals"),
    )
    assert "Deze maand" in table.inner_text() and "Vorige maand" not in table.inner_text()
    assert "€ 1.000" in page_totals.inner_text() and "€ 1.000" in all_totals.inner_text()
    page.evaluate("window.sameDocument = true")

    steps = choose_month(page, last_month, instead_of=this_month)
    page.wait_for_function(
        "document.querySelector('#traject-table tbody').innerText.includes('Vorige maand')"
        " && !document.querySelector('#traject-table tbody').innerText.includes('Deze maand')"
    )
    assert "Deze maand" not in table.inner_text()
    assert "€ 3.000" in page_totals.inner_text() and "20%" in page_totals.inner_text()
    assert "€ 3.000" in all_totals.inner_text() and "€ 600" in all_totals.inner_text()
    assert page.evaluate("window.sameDocument") is True, "the page was reloaded"
    assert f"month={last_month.month}" in page.url

    for url, text in steps[1:]:  # one step at a time, each until it shows what it showed then
        page.go_back()
        page.wait_for_url(url)
        # Back asks the server (hx-history="false"); meanwhile the table may be absent.
        page.wait_for_function(
            "(text) => { const t = document.querySelector('#traject-table tbody');"
            " return t && t.innerText === text; }",
            arg=text,
            timeout=30_000,  # each step is a request; CI runs two suites on two cores
        )
    assert page.url.endswith("/sales/")
    assert "Vorige maand" not in table.inner_text()
    assert "€ 1.000" in page_totals.inner_text() and "€ 1.000" in all_totals.inner_text()
    # The same text may stand for two steps (a month without trajects added): the chips say
    # which step's answer is in.
    page.wait_for_function(
        "(month) => [...document.querySelectorAll('#month-chips input:checked')]"
        ".map(i => i.value).join() === month",
        arg=str(this_month.month),
    )


def test_sort_and_page_links_update_in_place(page, am):
    today = timezone.localdate()
    for index in range(30):
        TrajectFactory(subject=f"Rij {index:02}", probability=index, expected_close=today,
                       accountmanagers=[am])  # fmt: skip
    login(page, am)
    page.evaluate("window.sameDocument = true")
    page.click("th a[data-sort=probability]")
    page.wait_for_url("**sort=probability**")
    page.wait_for_function(
        "document.querySelector('#traject-table tbody tr td').innerText.includes('Rij 00')"
    )
    page.click("a[rel=next]")
    page.wait_for_url("**page=2**")
    page.wait_for_function(
        "document.querySelector('#traject-table tbody tr td').innerText.includes('Rij 25')"
    )
    assert page.locator("#page-totals [data-total=count]").inner_text() == "5"
    assert page.evaluate("window.sameDocument") is True


def test_statistically_expected_fills_in_and_follows_the_filter(page, am):
    from settings_app.models import TrajectType
    from trajects.services import statistics_regenerate

    won, lost = (TrajectType.objects.get(name=name) for name in ("Order", "Lost"))
    for index in range(20):  # 15 of 20 won in 1000–5000: 75 %
        TrajectFactory(accountmanagers=[am], value=Decimal("2000"),
                       type=won if index < 15 else lost,
                       expected_close=datetime.date(2020, 1, 1))  # fmt: skip
    statistics_regenerate()
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    TrajectFactory(subject="Nu", value=Decimal("4000"), expected_close=this_month,
                   accountmanagers=[am])  # fmt: skip
    TrajectFactory(subject="Eerder", value=Decimal("1000"), expected_close=last_month,
                   accountmanagers=[am])  # fmt: skip
    login(page, am)
    cell = page.locator("#all-expected")
    page.wait_for_function("document.querySelector('#all-expected').innerText.includes('€')")
    assert cell.inner_text().strip() == "€ 3.000"
    choose_month(page, last_month, instead_of=this_month)
    page.wait_for_function("document.querySelector('#all-expected').innerText.trim() === '€ 750'")
    assert cell.inner_text().strip() == "€ 750"
