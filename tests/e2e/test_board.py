"""The board's "Done when" in Chromium (issue 13): an accountmanager drags a card to the next
stage, moves another with the keyboard menu, loses a third with a reason; the headers change
after each move; the dossiers record all three; axe-core finds no serious or critical issue."""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from settings_app.models import BusinessType, ClientSettings, Stage, WinLossReason
from trajects.models import DossierEntry, DossierKind, Traject

from ..factories import TrajectFactory
from .test_leads import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def stage(name):
    return Stage.objects.get(name=name)


def header(page, name):
    return page.locator(f"#kolom-{stage(name).pk}-kop")


def count(page, name):
    return header(page, name).locator(".board-count")


def cards(page, name):
    return page.locator(f"#kolom-{stage(name).pk}-kaarten")


def card_in(page, name, traject):
    """The traject's card inside this stage's column."""
    return cards(page, name).locator(f"#kaart-{traject.pk}")


@pytest.fixture
def board(am):
    ClientSettings.objects.update_or_create(pk=1, defaults={"sales_select_enabled": True})
    eb = BusinessType.objects.get(code="EB")
    made = {
        subject: TrajectFactory(
            subject=subject,
            accountmanagers=[am],
            business_type=eb,
            stage=stage(where),
            value=Decimal(value),
            probability=50,
        )  # fmt: skip
        for subject, where, value in [
            ("Glazen deuren", "Introductie", "1000.00"),
            ("Nieuwe kozijnen", "Behoefteanalyse", "2000.00"),
            ("Dakrenovatie", "Onderhandeling", "4000.00"),
        ]
    }
    return eb, made


def test_three_moves_and_the_dossier(page, am, board):
    eb, made = board
    login(page, am)
    page.goto(f"{page.base}/sales/bord/?business_type={eb.pk}")
    expect(page.get_by_role("region", name="Introductie")).to_be_visible()
    expect(count(page, "Introductie")).to_have_text("1 kaart")
    expect(count(page, "Behoefteanalyse")).to_have_text("1 kaart")

    # 1. Drag "Glazen deuren" from Introductie to the next stage, Behoefteanalyse.
    card = page.locator(f"#kaart-{made['Glazen deuren'].pk}")
    card.drag_to(cards(page, "Behoefteanalyse"))
    expect(
        cards(page, "Behoefteanalyse").locator(f"#kaart-{made['Glazen deuren'].pk}")
    ).to_be_visible()
    expect(count(page, "Introductie")).to_have_text("0 kaarten")
    expect(count(page, "Behoefteanalyse")).to_have_text("2 kaarten")
    expect(header(page, "Behoefteanalyse")).to_contain_text("3.000")
    expect(page.locator("#board-live")).to_have_text(
        "“Glazen deuren” verplaatst naar Behoefteanalyse."
    )
    expect(
        page.locator("#board-melding").get_by_role("button", name="Ongedaan maken")
    ).to_be_visible()

    # 2. "Nieuwe kozijnen" with the keyboard: its "Verplaats naar…" menu, then Voorstel.
    kozijnen = page.locator(f"#kaart-{made['Nieuwe kozijnen'].pk}")
    kozijnen.locator("summary").focus()
    page.keyboard.press("Enter")
    target = kozijnen.get_by_role("button", name="Voorstel", exact=True)
    expect(target).to_be_visible()
    target.focus()
    page.keyboard.press("Enter")
    expect(cards(page, "Voorstel").locator(f"#kaart-{made['Nieuwe kozijnen'].pk}")).to_be_visible()
    expect(count(page, "Behoefteanalyse")).to_have_text("1 kaart")
    expect(count(page, "Voorstel")).to_have_text("1 kaart")
    expect(page.locator("#board-live")).to_have_text("“Nieuwe kozijnen” verplaatst naar Voorstel.")
    expect(page.locator(f"#kaart-{made['Nieuwe kozijnen'].pk}")).to_be_focused()

    # 3. "Dakrenovatie" to Verloren: the dialog asks the reason (lost ones only); the card leaves.
    dak = page.locator(f"#kaart-{made['Dakrenovatie'].pk}")
    lost_closed_before = header(page, "Verloren").locator(".board-closed-count")
    expect(lost_closed_before).to_have_text("0 verloren in de laatste 30 dagen")
    dak.locator("summary").click()
    dak.get_by_role("button", name="Verloren", exact=True).click()
    dialog = page.locator("dialog#board-dialog")
    expect(dialog).to_be_visible()
    options = dialog.locator("select[name=reden] option")
    expected = ["—", *WinLossReason.objects.filter(outcome="lost").values_list("reason", flat=True)]
    expect(options).to_have_text(expected)
    dialog.locator("select[name=reden]").select_option(label="Te duur")
    dialog.get_by_role("button", name="Bevestigen").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#kaart-{made['Dakrenovatie'].pk}")).to_have_count(0)
    expect(count(page, "Onderhandeling")).to_have_text("0 kaarten")
    expect(header(page, "Verloren").locator(".board-closed-count")).to_have_text(
        "1 verloren in de laatste 30 dagen"
    )
    expect(page.locator("#board-live")).to_have_text("“Dakrenovatie” verplaatst naar Verloren.")

    lost = Traject.objects.get(pk=made["Dakrenovatie"].pk)
    assert lost.type.outcome == "lost" and lost.win_loss_reason.reason == "Te duur"
    assert lost.closed_from_stage == stage("Onderhandeling")

    # The detail pages' dossiers record all three moves.
    for subject, old, new in [
        ("Glazen deuren", "Introductie", "Behoefteanalyse"),
        ("Nieuwe kozijnen", "Behoefteanalyse", "Voorstel"),
        ("Dakrenovatie", "Onderhandeling", "Verloren"),
    ]:
        page.goto(f"{page.base}/sales/{made[subject].pk}/")
        entry = page.locator("#dossier li.entry-stage").first
        expect(entry).to_contain_text("Stage gewijzigd")
        expect(entry.locator(".change")).to_have_text(re.compile(rf"Stage:\s*{old}\s*→\s*{new}"))
    assert DossierEntry.objects.filter(kind=DossierKind.STAGE_CHANGE).count() == 3


def test_space_and_arrows_move_a_focused_card_and_undo_moves_it_back(page, am, board):
    eb, made = board
    login(page, am)
    page.goto(f"{page.base}/sales/bord/?business_type={eb.pk}")
    card = page.locator(f"#kaart-{made['Glazen deuren'].pk}")
    card.focus()
    page.keyboard.press("Space")
    expect(page.locator("#board-live")).to_contain_text("Kaart opgepakt in Introductie")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#board-live")).to_contain_text("Boven Behoefteanalyse")
    page.keyboard.press("Space")
    expect(page.locator("#board-live")).to_have_text(
        "“Glazen deuren” verplaatst naar Behoefteanalyse."
    )
    expect(count(page, "Behoefteanalyse")).to_have_text("2 kaarten")
    expect(page.locator(f"#kaart-{made['Glazen deuren'].pk}")).to_be_focused()

    page.locator("#board-melding").get_by_role("button", name="Ongedaan maken").click()
    expect(page.locator("#board-live")).to_contain_text("Ongedaan gemaakt")
    expect(cards(page, "Introductie").locator(f"#kaart-{made['Glazen deuren'].pk}")).to_be_visible()
    expect(count(page, "Introductie")).to_have_text("1 kaart")
    assert Traject.objects.get(pk=made["Glazen deuren"].pk).stage == stage("Introductie")
    assert DossierEntry.objects.filter(kind=DossierKind.STAGE_CHANGE).count() == 2


def test_cancelling_the_reason_dialog_puts_the_card_back(page, am, board):
    eb, made = board
    page.set_viewport_size({"width": 1900, "height": 900})  # every column in view for the drag
    login(page, am)
    page.goto(f"{page.base}/sales/bord/?business_type={eb.pk}")
    dak = page.locator(f"#kaart-{made['Dakrenovatie'].pk}")
    dak.drag_to(cards(page, "Verloren"))
    dialog = page.locator("dialog#board-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Annuleren").click()
    expect(dialog).to_be_hidden()
    expect(
        cards(page, "Onderhandeling").locator(f"#kaart-{made['Dakrenovatie'].pk}")
    ).to_be_visible()
    expect(cards(page, "Verloren").locator(".board-card")).to_have_count(0)
    traject = Traject.objects.get(pk=made["Dakrenovatie"].pk)
    assert traject.stage == stage("Onderhandeling") and traject.type.outcome == "open"
    assert not DossierEntry.objects.filter(kind=DossierKind.STAGE_CHANGE).exists()


def test_axe_finds_no_serious_or_critical_violation_on_the_board(page, am, board):
    eb, _made = board
    login(page, am)
    page.goto(f"{page.base}/sales/bord/?business_type={eb.pk}")
    expect(page.get_by_role("region", name="Introductie")).to_be_visible()
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in json.loads(result)
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.parametrize("width", [390, 1366, 1920])
def test_the_columns_scroll_in_their_own_box_never_the_page(page, am, board, width):
    """More columns than fit: they scroll sideways inside the board, the page never does
    (a card's hidden text once widened the page to 1690 px in a 1366 px window)."""
    eb, _made = board
    for n in range(6):
        Stage.objects.create(name=f"Extra {n}", order=100 + n).business_types.add(eb)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, am)
    page.goto(f"{page.base}/sales/bord/?business_type={eb.pk}")
    expect(page.get_by_role("region", name="Extra 5")).to_be_attached()
    page_width, window = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page_width == window
    columns = page.locator(".board-columns")
    assert columns.evaluate("e => e.scrollWidth > e.clientWidth")
