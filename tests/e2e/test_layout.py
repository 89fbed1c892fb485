"""The page frame in Chromium at six widths (issue 14): the page never scrolls sideways, no
table cell or interactive element is covered by another element (with the filter drawer and
the shortcuts dialog open and closed), 20 trajects fit on a 1366×768 screen in compact
density, and axe-core finds no serious or critical violation. Screenshots of every page at
every width land in var/screenshots/ for a person to look at.

To add a page, add a Page to PAGES: a name, a function from the `world` to its URL, and
optionally the states to check besides the page as it opens (a drawer, a dialog).
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from settings_app.models import BusinessType, ClientSettings, Stage, UserPreferences

from ..factories import ContactFactory, TaskFactory, TrajectFactory
from .test_leads import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = [390, 1024, 1280, 1366, 1440, 1920]
HEIGHT = 900


@dataclass
class State:
    """A state of a page to check besides how it opens: `open` runs in the browser (a click, a
    key), `scope` is the CSS selector of what must then be uncovered (a modal dialog makes
    the rest inert, so only the dialog counts)."""

    name: str
    open: Callable
    scope: str = "body"


@dataclass
class Page:
    name: str
    url: Callable[[dict], str]
    ready: str = "main"  # a selector that shows the page has rendered
    states: list[State] = field(default_factory=list)
    who: str = "am"  # whose page it is: a key of the `world`


def closed_world(world) -> str:
    """Won and lost trajects closed in the last full quarter, with stages and reasons (made
    once per test; the win/loss page's URL asks for them). Returns ''."""
    from settings_app.models import TrajectType, WinLossReason

    if world.get("closed"):
        return ""
    today = timezone.localdate()
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    closed_on = timezone.make_aware(
        datetime.datetime.combine(quarter_start - datetime.timedelta(days=20), datetime.time(12))
    )
    stages = list(Stage.objects.filter(outcome_on_entry="").order_by("order"))
    for index in range(12):
        outcome = "lost" if index % 3 else "won"
        TrajectFactory(
            subject=f"Gesloten {index}", accountmanagers=[world["am"]],
            business_type=world["eb"], type=TrajectType.objects.get(outcome=outcome),
            value=Decimal(2500 + index * 1000), probability=100 if outcome == "won" else 0,
            expected_close=closed_on.date(), closed_at=closed_on,
            closed_from_stage=stages[index % len(stages)],
            win_loss_reason=WinLossReason.objects.filter(outcome=outcome).order_by("pk")[
                index % 2
            ],
        )  # fmt: skip
    world["closed"] = True
    return ""


def open_filters(page):
    page.click("#filters > summary")
    expect(page.locator("#month-chips")).to_be_visible()


def open_shortcuts(page):
    page.locator("body").press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()


PAGES = [
    Page(
        "overview",
        lambda world: "/sales/",
        ready="#traject-table",
        states=[
            State("filters", open_filters),
            State("shortcuts", open_shortcuts, scope="#shortcuts-dialog"),
        ],
    ),
    Page("detail", lambda world: f"/sales/{world['traject'].pk}/", ready="#informatie"),
    Page(
        "board",
        lambda world: f"/sales/bord/?business_type={world['eb'].pk}",
        ready=".board-columns",
    ),
    # The beheerder's: the distribution bar above the filters, tick boxes in the table.
    Page(
        "leads",
        lambda world: "/sales/leads/",
        ready="#lead-table",
        states=[State("filters", open_filters)],
        who="beheerder",
    ),
    # Mijn taken (issue 15): the four groups, Zonder vervolgactie; the beheerder's with the
    # filter on assignee and Zonder eigenaar.
    Page("mijn taken", lambda world: "/taken/", ready="#groep-verlopen"),
    Page(
        "mijn taken beheerder",
        lambda world: "/taken/?voor=alle",
        ready="#groep-verlopen",
        who="beheerder",
    ),  # fmt: skip
    # Rapportages (issue 16): the forecast as an accountmanager and per accountmanager as the
    # beheerder; the win/loss analysis of a quarter with closed trajects (closed_world).
    Page("report forecast", lambda world: "/rapportages/forecast/", ready="#forecast-chart"),
    Page(
        "report forecast per accountmanager",
        lambda world: "/rapportages/forecast/?per=accountmanager&measure=omzet",
        ready="#forecast-people",
        who="beheerder",
    ),
    Page(
        "report win-verlies",
        lambda world: closed_world(world) + "/rapportages/win-verlies/",
        ready="#winloss-stage",
        who="beheerder",
    ),
    Page("relations", lambda world: "/crm/relaties/", ready=".grid"),
    Page(
        "relation card",
        lambda world: f"/crm/relaties/{world['traject'].relation_id}/",
        ready="h1",
    ),
    # Instellingen, the key-user's: its index, a list and a form (the Django admin underneath).
    Page("instellingen", lambda world: "/instellingen/", ready="#content", who="keyuser"),
    Page(
        "instellingen list",
        lambda world: "/instellingen/settings_app/stage/",
        ready="#result_list",
        who="keyuser",
    ),
    Page(
        "instellingen form",
        lambda world: f"/instellingen/settings_app/businesstype/{world['eb'].pk}/change/",
        ready="#content form",
        who="keyuser",
    ),
    # Workflows (issue 15): the rule editor with its actions, and the Workflow-fouten list;
    # Mijn instellingen, everyone's own page.
    Page(
        "workflow rule editor",
        lambda world: "/instellingen/workflows/rule/add/",
        ready="#actions-group",
        who="keyuser",
    ),
    Page(
        "workflow-fouten",
        lambda world: "/instellingen/workflows/actionrun/",
        ready="#content",
        who="keyuser",
    ),
    Page("mijn instellingen", lambda world: "/voorkeuren/", ready="main form"),
]

# Which elements are checked, and at which points of each (fractions of its box).
CHECK_JS = """
([scope]) => {
  const root = document.querySelector(scope) || document.body;
  const selector = 'td, th, a[href], button, input:not([type=hidden]), select, textarea, '
                 + 'summary, label';
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const fractions = [[.5, .5], [.15, .25], [.85, .25], [.15, .75], [.85, .75]];
  const problems = [];
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    if (el.className && typeof el.className === 'string') {
      text += '.' + el.className.trim().split(/\\s+/).join('.');
    }
    return text + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  };
  for (const el of root.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;  // not shown, or visually hidden
    // Not rendered: in a closed <details> (content-visibility), or visibility:hidden.
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) continue;
    if (getComputedStyle(el).pointerEvents === 'none') continue;
    // What of the element can be seen: the viewport cut by every clipping ancestor.
    let left = 0, top = 0, right = vw, bottom = vh;
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      const s = getComputedStyle(up);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const r = up.getBoundingClientRect();
      left = Math.max(left, r.left + up.clientLeft);
      top = Math.max(top, r.top + up.clientTop);
      right = Math.min(right, r.left + up.clientLeft + up.clientWidth);
      bottom = Math.min(bottom, r.top + up.clientTop + up.clientHeight);
    }
    // A link that wraps has a box per line: check the points of each (their union's box
    // holds empty corners that belong to the parent).
    const boxes = [...el.getClientRects()].slice(0, 3);
    const points = boxes.length > 1
      ? boxes.map(b => [b.left + b.width / 2, b.top + b.height / 2])
      : fractions.map(([fx, fy]) => [box.left + box.width * fx, box.top + box.height * fy]);
    for (const [x, y] of points) {
      if (x < left + 1 || x > right - 1 || y < top + 1 || y > bottom - 1) continue;
      const hit = document.elementFromPoint(x, y);
      if (hit && (hit === el || el.contains(hit))) continue;
      // A sticky table header may lie over rows scrolled under it: that is its purpose.
      if (hit && hit.closest('thead') && el.closest('tbody')
          && hit.closest('table') === el.closest('table')) continue;
      problems.push(describe(el) + ' at ' + Math.round(x) + ',' + Math.round(y) +
                    ' under ' + (hit ? describe(hit) : 'nothing'));
      break;
    }
  }
  return problems;
}
"""


@pytest.fixture
def world(am, beheerder, keyuser):
    """Thirty trajects closing this month (long subjects to cut), one with a history, eight
    leads, and Sales Select on so the board renders."""
    ClientSettings.objects.update_or_create(pk=1, defaults={"sales_select_enabled": True})
    eb = BusinessType.objects.get(code="EB")
    stage = Stage.objects.filter(business_types=eb).order_by("order").first()
    today = timezone.localdate()
    contact = ContactFactory(first_name="Jan", last_name="Jansen")
    for index in range(30):
        TrajectFactory(
            subject=f"Traject {index:02} met een lang onderwerp dat niet op één regel past "
            "in een smalle kolom van het overzicht",
            accountmanagers=[am], business_type=eb, stage=stage,
            value=Decimal(1000 + index * 250), probability=10 + index,
            expected_close=today.replace(day=min(today.day, 28)),
        )  # fmt: skip
    traject = TrajectFactory(
        subject="Het traject met een geschiedenis",
        relation=contact.relation, contact=contact, accountmanagers=[am],
        business_type=eb, stage=stage, value=Decimal("12500.00"),
        expected_close=today + datetime.timedelta(days=40),
    )  # fmt: skip
    for index in range(8):  # leads, half of them still in the marketing pot
        TrajectFactory(
            subject=f"Lead {index} met een lang onderwerp dat niet op één regel past",
            accountmanagers=[am] if index % 2 else [], converted_at=None, business_type=eb,
        )  # fmt: skip
    trajects = list(traject.relation.trajects.all()) + [traject]
    for index, days in enumerate((-3, -1, 0, 0, 1, 2, 5, 9, 30)):
        TaskFactory(
            traject=traject if index % 2 else trajects[0],
            title=f"Taak {index} met een lange titel die niet op één regel past: bellen over "
            "de offerte en de startdatum van de kandidaten",
            due_on=today + datetime.timedelta(days=days), assignee=am,
        )  # fmt: skip
    return {"am": am, "beheerder": beheerder, "keyuser": keyuser, "eb": eb, "traject": traject}


def check(page, scope="body") -> list[str]:
    """Covered elements at this scroll position, and anything wider than the window."""
    problems = []
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width > client_width:
        problems.append(f"the page scrolls sideways: {scroll_width} > {client_width}")
    return problems + page.evaluate(CHECK_JS, [scope])


def check_whole_page(page, scope="body") -> list[str]:
    """check() at the top of the page and a few screens down."""
    problems = []
    height = page.evaluate("document.documentElement.scrollHeight")
    for screen in range(4):
        y = screen * (HEIGHT - 100)
        if screen and y >= height - HEIGHT + 100:
            break
        page.evaluate(f"window.scrollTo(0, {y})")
        problems += [f"[y={y}] {problem}" for problem in check(page, scope)]
    page.evaluate("window.scrollTo(0, 0)")
    return problems


@pytest.mark.parametrize("entry", PAGES, ids=[entry.name for entry in PAGES])
def test_nothing_covered_and_no_sideways_scroll_at_any_width(page, world, entry):
    login(page, world[entry.who])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.goto(page.base + entry.url(world))
        expect(page.locator(entry.ready).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SCREENSHOTS / f"{entry.name}-{width}.png", full_page=True)
        problems = check_whole_page(page)
        for state in entry.states:
            page.goto(page.base + entry.url(world))
            expect(page.locator(entry.ready).first).to_be_visible()
            state.open(page)
            page.screenshot(
                path=SCREENSHOTS / f"{entry.name}-{state.name}-{width}.png", full_page=True
            )
            problems += [f"({state.name}) {p}" for p in check_whole_page(page, state.scope)]
        if problems:
            found[width] = problems[:8]
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_twenty_trajects_fit_on_a_1366_by_768_screen_in_compact_density(page, world):
    am = world["am"]
    UserPreferences.objects.update_or_create(user=am, defaults={"density": "compact"})
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, am)
    expect(page.locator("body.density-compact")).to_be_attached()
    expect(page.locator("#traject-table tbody tr").first).to_be_visible()
    visible = page.evaluate(
        """() => {
          const box = document.getElementById('traject-table-box').getBoundingClientRect();
          const head = document.querySelector('#traject-table thead').getBoundingClientRect();
          const bottom = Math.min(box.bottom, document.documentElement.clientHeight);
          return [...document.querySelectorAll('#traject-table tbody tr')].filter(row => {
            const r = row.getBoundingClientRect();
            return r.top >= head.bottom - 1 && r.bottom <= bottom + 1;
          }).length;
        }"""
    )
    page.screenshot(path=SCREENSHOTS / "overview-compact-1366x768.png")
    assert visible >= 20
    # Comfortable density, the same screen: fewer rows, the switch is a real choice.
    page.click("#density-comfortable")
    expect(page.locator("body.density-comfortable")).to_be_attached()
    assert UserPreferences.objects.get(user=am).density == "comfortable"


@pytest.mark.parametrize("entry", PAGES, ids=[entry.name for entry in PAGES])
def test_axe_finds_no_serious_or_critical_violation(page, world, entry):
    login(page, world[entry.who])
    page.set_viewport_size({"width": 1366, "height": HEIGHT})
    page.goto(page.base + entry.url(world))
    expect(page.locator(entry.ready).first).to_be_visible()
    page.add_script_tag(content=AXE.read_text())
    states = [None, *[s for s in entry.states if s.scope == "body"]]
    found = {}
    for state in states:
        if state is not None:
            state.open(page)
        result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in json.loads(result)
            if v["impact"] in ("serious", "critical")
        ]
        if violations:
            found[state.name if state else "page"] = violations
    assert found == {}, json.dumps(found, indent=1)


class TestMonthChipsByKeyboard:
    def test_tab_to_a_chip_and_press_space(self, page, world):
        login(page, world["am"])
        page.focus("#filters > summary")
        page.keyboard.press("Enter")
        expect(page.locator("#month-chips")).to_be_visible()
        today = timezone.localdate()
        other = 1 if today.month != 1 else 2
        page.focus(f"#month-{other}")
        page.keyboard.press("Space")
        page.wait_for_url(f"**month={other}**")
        expect(page.locator(f"#month-{other}")).to_be_checked()
        expect(page.locator("#month-chips")).to_be_visible()  # the panel stayed open
        assert str(other) in page.url and str(today.month) in page.url


class TestShortcuts:
    def test_the_keys_do_what_they_say_and_not_while_typing(self, page, world):
        login(page, world["am"])
        body = page.locator("body")
        body.press("/")
        expect(page.locator("#id_keyword")).to_be_focused()
        page.keyboard.type("n?")  # typing in the field: no shortcut
        expect(page.locator("#id_keyword")).to_have_value("n?")
        expect(page.locator("#shortcuts-dialog")).to_be_hidden()
        page.locator("#id_keyword").blur()
        body.press("?")
        expect(page.locator("#shortcuts-dialog")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#shortcuts-dialog")).to_be_hidden()
        body.press("n")
        expect(page.locator("#lead-dialog")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator("#lead-dialog")).to_be_hidden()
        body.press("g")
        body.press("l")
        page.wait_for_url("**/sales/leads/")
        page.locator("body").press("g")
        page.locator("body").press("t")
        page.wait_for_url("**/sales/")

    def test_switched_off_no_key_does_anything(self, page, world):
        am = world["am"]
        UserPreferences.objects.update_or_create(user=am, defaults={"shortcuts": False})
        login(page, am)
        page.locator("body").press("/")
        expect(page.locator("#id_keyword")).not_to_be_focused()
        page.locator("body").press("g")
        page.locator("body").press("l")
        page.wait_for_timeout(300)
        assert page.url.endswith("/sales/")
