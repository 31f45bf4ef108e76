"""The map canvas at any size (issue 14), in Chromium: a 30-stage, 600-touchpoint map with
data bound keeps a bounded width, its stage names in view and, at ``zoom="fit"``, every
stage on screen with legible names; cards move by their body and a click still selects.

Screenshots (light and dark, 100 % and fit, standalone and JupyterLab) go to
tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from bigmap import big_widget
from journeywidget.widget import JourneyWidget

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
E2E_DIR = Path(__file__).parent

# The stage names on screen: inside the map's visible box and the page's viewport, and how big
# their text is drawn (font size times the grid's CSS zoom).
STAGE_NAMES = """(root) => {
  const sc = root.querySelector('.jw-scroll').getBoundingClientRect();
  const grid = root.querySelector('.jw-grid');
  const zoom = parseFloat(grid.style.zoom || '1') || 1;
  return [...root.querySelectorAll('.jw-stage')].map((st) => {
    const n = st.querySelector('.jw-stage-name');
    const r = n.getBoundingClientRect();
    return { id: st.getAttribute('data-id'), text: n.textContent, px: parseFloat(getComputedStyle(n).fontSize) * zoom,
             left: r.left, right: r.right, top: r.top, bottom: r.bottom, w: r.width, h: r.height,
             inMap: r.width > 0 && r.left >= sc.left - 1 && r.right <= sc.right + 1 && r.top >= sc.top - 1 && r.bottom <= sc.bottom + 1,
             inPage: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight };
  });
}"""


def shoot(page, name: str) -> Path:
    """What the user sees: the viewport (the map scrolled into view, the sticky toolbar on top)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.wait_for_timeout(150)
    page.screenshot(path=str(path))
    return path


def in_scheme(page, scheme: str) -> None:
    """A 1280 x 900 page in the light or dark colour scheme."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme=scheme)
    if scheme == "dark":
        page.evaluate("() => { document.body.style.background = '#0f1115'; }")


def to_map(page, h):
    """Scroll the page so the map (not the header) fills the view."""
    h.el.locator(".jw-scroll").evaluate("(s) => s.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(100)


@pytest.fixture(scope="module")
def big():
    """One big widget for the module (building it and binding its events takes a few seconds)."""
    return big_widget()


def scroll_into_stage(h, stage_id: str, frac: float = 0.5) -> None:
    """Scroll the map sideways so `frac` of stage `stage_id`'s column sits at the left edge of the cells."""
    h.el.evaluate(
        """(root, [id, frac]) => {
            const sc = root.querySelector('.jw-scroll');
            const st = root.querySelector(`.jw-stage[data-id="${id}"]`);
            const lane = root.querySelector('.jw-lane').getBoundingClientRect().width;
            const r = st.getBoundingClientRect(), s = sc.getBoundingClientRect();
            sc.scrollLeft += r.left + r.width * frac - (s.left + lane);
        }""",
        [stage_id, frac],
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_big_map_at_100_percent(page, standalone, big, scheme):
    in_scheme(page, scheme)
    big.zoom = 1
    h = standalone(big)
    expect(h.el.locator(".jw-tp")).to_have_count(600)
    expect(h.el.locator(".jw-stage")).to_have_count(30)
    width = h.el.locator(".jw-grid").evaluate("(g) => g.scrollWidth")
    assert width <= 21_000, width  # was 110,586 px before cards wrapped within a stage
    # cards wrap: a stage of 20 touchpoints is three cards wide
    assert h.el.locator('.jw-cell[data-lane="touchpoints"][data-stage="s5"] .jw-tps').evaluate(
        "(b) => getComputedStyle(b).gridTemplateColumns.split(' ').length") == 3
    # labelled figures with data bound
    expect(h.el.locator('.jw-tp[data-id="t1"] .jw-fig-customers')).to_contain_text(re.compile(r"^[\d,.k]+ customers"))

    # the stage name stays on screen while we are in the middle of its column, across and down
    to_map(page, h)
    scroll_into_stage(h, "s12", 0.5)
    h.el.locator(".jw-scroll").evaluate("(s) => { s.scrollTop = s.scrollHeight / 2; }")
    page.wait_for_timeout(150)
    names = {n["id"]: n for n in h.el.evaluate(STAGE_NAMES)}
    assert names["s12"]["text"] == "Payment"
    assert names["s12"]["inMap"] and names["s12"]["inPage"], names["s12"]
    lane_right = h.el.locator(".jw-lane").first.bounding_box()
    assert names["s12"]["left"] >= lane_right["x"] + lane_right["width"] - 1  # not under the lane titles
    # the toolbar too (sticky): undo is on screen with the map scrolled into view
    assert h.el.locator(".jw-toolbar").bounding_box()["y"] >= -1
    shoot(page, f"canvas-big-100-{scheme}.png")
    assert h.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_big_map_at_fit_shows_every_stage_legibly(page, standalone, big, scheme):
    in_scheme(page, scheme)
    big.zoom = "fit"
    h = standalone(big)
    expect(h.el.locator(".jw-tp")).to_have_count(600)
    expect(h.el.locator(".jw-root")).to_have_class(re.compile(r"jw-compact"))
    to_map(page, h)
    page.wait_for_timeout(200)
    names = h.el.evaluate(STAGE_NAMES)
    assert len(names) == 30
    off = [n["id"] for n in names if not (n["inMap"] and n["inPage"])]
    assert off == [], off
    small = [(n["id"], n["px"]) for n in names if n["px"] < 9]
    assert small == [], small
    assert all(n["text"] and n["h"] >= 20 for n in names)  # drawn, not clipped away
    # chips carry each touchpoint's emotion and key figure
    chip = h.el.locator('.jw-tp[data-id="t1"] .jw-tp-chip')
    expect(chip).to_be_visible()
    assert chip.get_attribute("title").startswith("Touchpoint Step 2 of awareness")
    shoot(page, f"canvas-big-fit-{scheme}.png")
    # zooming in again restores full cards; the page's control and Python agree
    h.el.locator(".jw-zoom").select_option("1")
    h.wait_until(lambda: big.zoom == 1.0)
    expect(h.el.locator(".jw-root")).not_to_have_class(re.compile(r"jw-compact"))
    expect(h.el.locator('.jw-tp[data-id="t1"] [data-field="name"]')).to_be_visible()
    big.zoom = "fit"
    h.sync()
    expect(h.el.locator(".jw-zoom")).to_have_value("fit")
    expect(h.el.locator(".jw-root")).to_have_class(re.compile(r"jw-compact"))
    assert h.errors == []


def test_template_map_with_data_and_overlays_screenshots(page, standalone):
    page.set_viewport_size({"width": 1400, "height": 1000})
    j = jw.Journey.from_template("ecommerce-purchase")
    w = JourneyWidget(j)
    w.bind_events(jw.datasets.events(j, customers=2000, seed=3), customer="customer_id", time="timestamp",
                  touchpoint="event")
    w.overlay = "funnel"
    h = standalone(w)
    band = h.el.locator('.jw-band-stages .jw-chart[data-chart-key="overlay"] g.role-mark.mark-rect path')
    expect(band).not_to_have_count(0)
    # marks read as sentences to assistive tech: no geometry fields, no "null" for the first stage
    labels = band.evaluate_all("(ps) => ps.map((p) => p.getAttribute('aria-label')).filter(Boolean)")
    first = j.stages[0].name
    assert any(lab.startswith(f"{first}: ") and lab.endswith(" reached") for lab in labels), labels
    assert not any("jw_" in lab or "null" in lab for lab in labels), labels
    to_map(page, h)
    shoot(page, "canvas-template-funnel-light.png")
    w.overlay = "metric"
    h.sync()
    expect(h.el.locator('.jw-band-metrics .jw-chart[data-chart-key="overlay"] g.role-mark.mark-rect path')).to_have_count(
        2 * len(j.touchpoints))
    w.zoom = "fit"
    h.sync()
    page.wait_for_timeout(300)
    to_map(page, h)
    shoot(page, "canvas-template-fit-light.png")
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    shoot(page, "canvas-template-fit-dark.png")
    assert h.errors == []


def template_map(page, standalone, width=1400, height=1000):
    """The e-commerce template in the standalone page: (journey, widget, harness)."""
    page.set_viewport_size({"width": width, "height": height})
    j = jw.Journey.from_template("ecommerce-purchase")
    w = JourneyWidget(j)
    return j, w, standalone(w)


def _drag(page, x0, y0, x1, y1, steps=14):
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 6, y0 + 3, steps=2)
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()


def test_drag_a_card_by_its_body_and_click_to_select(page, standalone):
    j, w, h = template_map(page, standalone)
    card = h.el.locator('.jw-tp[data-id="mobile-home-page"]')
    card.scroll_into_view_if_needed()
    # a click on the body (not on its text) selects it, and nothing moves
    box = card.bounding_box()
    card.click(position={"x": box["width"] - 12, "y": box["height"] - 6})
    h.wait_until(lambda: w.selected == "mobile-home-page")
    assert j["mobile-home-page"].stage == "browse"
    assert [m for m in h.to_python if m.get("type") == "ops"] == []

    # drag the card by its body (the channel row, not the grip) to the front of "Search & compare"
    target = h.el.locator('.jw-tp[data-id="site-search"]')
    target.scroll_into_view_if_needed()
    box = card.bounding_box()
    tb = target.bounding_box()
    _drag(page, box["x"] + box["width"] / 2, box["y"] + 14, tb["x"] + 10, tb["y"] + tb["height"] / 2)
    h.wait_until(lambda: j["mobile-home-page"].stage == "search-compare")
    assert [t.id for t in j.touchpoints_in("search-compare")][0] == "mobile-home-page"
    # no text was selected by the drag
    assert page.evaluate("() => String(getSelection())") == ""

    # a press on the name that does not move places the caret there (editing still works)
    name = h.el.locator('.jw-tp[data-id="site-search"] [data-field="name"]')
    name.click()
    assert page.evaluate("() => document.activeElement.getAttribute('data-field')") == "name"
    page.keyboard.press("End")
    page.keyboard.type(" box")
    page.keyboard.press("Enter")
    h.wait_until(lambda: j["site-search"].name == "Site search box")
    assert j["site-search"].stage == "search-compare"

    # a sticky note moves by its body to another stage too
    note = h.el.locator('.jw-card').first
    note_id = note.get_attribute("data-id")
    lane = j[note_id].lane
    h.el.locator(".jw-scroll").evaluate("(s) => { s.scrollLeft = 0; }")
    note.scroll_into_view_if_needed()
    other = h.el.locator(f'.jw-cell[data-lane="{lane}"][data-stage="search-compare"]')
    nb, ob = note.bounding_box(), other.bounding_box()
    _drag(page, nb["x"] + 14, nb["y"] + nb["height"] / 2, ob["x"] + ob["width"] / 2, ob["y"] + ob["height"] - 6)
    h.wait_until(lambda: j[note_id].stage == "search-compare")
    assert h.errors == []


def test_emotion_drag_shows_its_value_live(page, standalone):
    j, w, h = template_map(page, standalone)
    dot = h.el.locator('.jw-dot[data-id="cart-page"]')
    dot.scroll_into_view_if_needed()
    lane = h.el.locator(".jw-emo").bounding_box()
    b = dot.bounding_box()
    x, y = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, lane["y"] + 0.12 * lane["height"], steps=6)
    live = h.el.locator(".jw-dot-live")
    expect(live).to_be_visible()
    expect(live).to_have_text("+2 · Very positive")
    page.mouse.move(x, lane["y"] + 0.88 * lane["height"], steps=6)
    expect(live).to_have_text("−2 · Very negative")
    page.mouse.up()
    h.wait_until(lambda: j["cart-page"].emotion == -2)
    expect(live).to_be_hidden()


def test_search_jump_and_collapse_by_keyboard(page, standalone):
    j, w, h = template_map(page, standalone, 1280, 900)
    box = h.el.get_by_role("searchbox", name=re.compile("Search the map"))
    box.fill("refund")
    count = h.el.locator(".jw-search-count")
    expect(count).to_have_text(re.compile(r"^1 / \d+$"))
    n = int(count.text_content().split("/")[1])
    assert n >= 3
    current = h.el.locator(".jw-match-current").first
    expect(current).to_be_in_viewport()
    box.press("Enter")
    expect(count).to_have_text(f"2 / {n}")
    expect(h.el.locator(".jw-match-current").first).to_be_in_viewport()
    # go to the last stage from the keyboard
    goto = h.el.get_by_role("combobox", name="Go to stage")
    goto.select_option("returns-support")
    expect(h.el.locator('.jw-stage[data-id="returns-support"] .jw-stage-name')).to_be_in_viewport()
    # collapse a lane with the keyboard
    fold = h.el.get_by_role("button", name="Collapse lane Pain points")
    fold.focus()
    page.keyboard.press("Enter")
    expect(h.el.get_by_role("button", name="Expand lane Pain points")).to_have_attribute("aria-expanded", "false")
    expect(h.el.locator('.jw-cell[data-lane-kind="pain_points"] .jw-card')).to_have_count(0)


@pytest.mark.jupyter
def test_big_map_in_jupyterlab(page, lab_notebook):
    page.set_viewport_size({"width": 1400, "height": 1000})
    cell = (
        "import sys\n"
        f"sys.path.insert(0, {str(E2E_DIR)!r})\n"
        "from bigmap import big_widget\n"
        "w = big_widget()\n"
        "w"
    )
    nb = lab_notebook([cell])
    out = nb.run_cell(0)
    expect(out.locator(".jw-tp")).to_have_count(600, timeout=60_000)
    width = out.locator(".jw-grid").evaluate("(g) => g.scrollWidth")
    assert width <= 21_000, width
    out.locator(".jw-scroll").evaluate("(s) => s.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    shoot(page, "canvas-big-100-jupyterlab.png")
    nb.run_code("w.zoom = 'fit'")
    expect(out.locator(".jw-root")).to_have_class(re.compile(r"jw-compact"), timeout=30_000)
    page.wait_for_timeout(300)
    out.locator(".jw-scroll").evaluate("(s) => s.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(200)
    names = out.locator(".jw-root").evaluate(STAGE_NAMES)
    off = [n["id"] for n in names if not n["inMap"]]
    assert off == [], off
    assert min(n["px"] for n in names) >= 9
    shoot(page, "canvas-big-fit-jupyterlab.png")
    # the page's zoom control reaches the kernel
    out.locator(".jw-zoom").select_option("0.5")
    printed = nb.run_code("print(w.zoom)")
    expect(printed).to_contain_text("0.5")
