"""In the browser: lines added and removed in place, totals updating as you type, then sending."""

import os

import pytest
from django.core import mail

from quotes.models import Quote, QuoteStatus

from ..factories import ContactFactory, TrajectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, user):
    user.set_password("demo-pass-123")
    user.save()
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "demo-pass-123")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/sales/")


def totals(page) -> str:
    return " ".join(page.locator("#totals").inner_text().replace("\xa0", " ").split())


def test_quote_form_updates_in_place_and_the_quote_is_sent(page, am):
    contact = ContactFactory(first_name="Piet", last_name="Jansen", email="piet@hanzebouw.nl")
    traject = TrajectFactory(
        subject="Werving monteurs", relation=contact.relation, contact=contact, accountmanagers=[am]
    )
    login(page, am)
    page.goto(f"{page.base}/sales/{traject.pk}/")
    page.locator("#offertes").get_by_role("link", name="+ Offerte").click()
    page.wait_for_url("**/offertes/traject/*/nieuw/")
    page.evaluate("window.__samePage = true")  # survives only if nothing reloads the page

    page.fill("#id_lines-0-description", "Werving")
    page.fill("#id_lines-0-quantity", "1,5")
    page.fill("#id_lines-0-unit_price", "12,99")
    page.wait_for_function("document.querySelector('#amount-lines-0').innerText.includes('19,49')")
    assert "Totaal incl. btw € 23,58" in totals(page)  # 19.49 + 4.09

    page.get_by_role("button", name="+ Regel toevoegen").click()
    page.wait_for_selector("#id_lines-1-description")
    page.fill("#id_lines-1-description", "Lunch")
    page.fill("#id_lines-1-quantity", "2,5")
    page.fill("#id_lines-1-unit_price", "10,01")
    page.select_option("#id_lines-1-vat_rate", "9")
    page.fill("#id_discount_percent", "10")
    page.wait_for_function("document.querySelector('#totals').innerText.includes('Btw 9%')")
    # 21%: 19.49 - 1.95 = 17.54 + 3.68 ; 9%: 25.03 - 2.50 = 22.53 + 2.03 → 45.78
    page.wait_for_function("document.querySelector('#totals').innerText.includes('45,78')")

    page.get_by_role("button", name="+ Regel toevoegen").click()
    page.wait_for_selector("#id_lines-2-description")
    page.fill("#id_lines-2-description", "Wordt weer verwijderd")
    page.locator("#line-lines-2").get_by_role("button", name="Regel verwijderen").click()
    page.wait_for_selector("#line-lines-2", state="detached")
    page.locator("#line-lines-0").get_by_role("button", name="Regel verwijderen").click()
    page.wait_for_selector("#line-lines-0", state="detached")
    # Only Lunch is left: 25.03 - 2.50 = 22.53 + 2.03 = 24.56
    page.wait_for_function("document.querySelector('#totals').innerText.includes('24,56')")
    assert page.evaluate("window.__samePage") is True
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["SCREENSHOTS"], "quote_form.png"), full_page=True
        )

    page.get_by_role("button", name="Bewaren").click()
    page.wait_for_url("**/sales/offertes/*/")
    quote = Quote.objects.get()
    assert [line.description for line in quote.lines.all()] == ["Lunch"]
    assert str(quote.total) == "24.56"

    page.get_by_role("link", name="Versturen per e-mail").click()
    assert page.input_value("#id_to") == "piet@hanzebouw.nl"
    page.get_by_role("button", name="Versturen").click()
    page.wait_for_url(f"**/sales/offertes/{quote.pk}/")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert page.locator("h1").inner_text().startswith(f"Offerte {quote.number}")
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments[0][2] == "application/pdf"
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["SCREENSHOTS"], "quote_detail.png"), full_page=True
        )
