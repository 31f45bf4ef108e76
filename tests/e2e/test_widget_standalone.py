"""The journey map widget in headless Chromium, bridged to a real Python widget.

Every step drives the page the way a person would (typing, dragging with the
mouse, keyboard shortcuts) and then checks the Python model.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.widget import JourneyWidget

BIG = {"width": 3900, "height": 1500}  # the whole ecommerce map fits: no scrolling needed


@pytest.fixture
def journey():
    return jw.Journey.from_template("ecommerce-purchase")


@pytest.fixture
def mapview(page, standalone, journey):
    page.set_viewport_size(BIG)
    w = JourneyWidget(journey)
    h = standalone(w)
    expect(h.el.locator(".jw-tp")).to_have_count(len(journey.touchpoints))
    return w, h


def tp_loc(h, tp_id, view=0):
    return h.view(view).locator(f'.jw-tp[data-id="{tp_id}"]')


def center(box):
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page, source, target_xy, steps=12):
    """Press on ``source`` (a locator), move to target (x, y) in steps, release."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    x0, y0 = center(box)
    page.mouse.move(x0, y0)
    page.mouse.down()
    x1, y1 = target_xy
    page.mouse.move(x0 + 6, y0 + 2, steps=2)
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()


def rename(page, field, text):
    field.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def emotion_y(lane_box, value, lo=-2, hi=2, pad=12):
    t = (hi - value) / (hi - lo)
    return lane_box["y"] + lane_box["height"] * (pad + t * (100 - 2 * pad)) / 100


# ---------------------------------------------------------------------------


def test_the_story(page, mapview, journey):
    """Render, rename, drag a touchpoint, reorder stages, drag an emotion, comment, undo ×2, redo."""
    w, h = mapview
    el = h.el
    expect(el.locator(".jw-title")).to_have_text(journey.title)
    expect(el.locator(".jw-stage")).to_have_count(6)
    expect(el.locator(".jw-dot")).to_have_count(18)

    # 1. rename a touchpoint by typing
    rename(page, tp_loc(h, "site-search").locator('[data-field="name"]'), "Search box")
    h.wait_until(lambda: journey["site-search"].name == "Search box")
    expect(tp_loc(h, "site-search").locator('[data-field="name"]')).to_have_text("Search box")

    # 2. drag a touchpoint to another stage (first place in "cart")
    card = tp_loc(h, "site-search")
    card.hover()
    first_in_cart = tp_loc(h, "cart-page").bounding_box()
    drag(
        page,
        card.locator(".jw-grip"),
        (first_in_cart["x"] + 10, first_in_cart["y"] + first_in_cart["height"] / 2),
    )
    h.wait_until(lambda: journey["site-search"].stage == "cart")
    assert [t.id for t in journey.touchpoints_in("cart")][0] == "site-search"
    expect(
        el.locator('.jw-cell[data-lane="touchpoints"][data-stage="cart"] .jw-tp').first
    ).to_have_attribute("data-id", "site-search")

    # 3. reorder two stages: Browse goes after "Search & compare"
    browse = el.locator('.jw-stage[data-id="browse"]')
    browse.hover()
    other = el.locator('.jw-stage[data-id="search-compare"]').bounding_box()
    drag(page, browse.locator(".jw-grip"), (other["x"] + other["width"] * 0.8, other["y"] + 30))
    h.wait_until(lambda: [s.id for s in journey.stages][:2] == ["search-compare", "browse"])
    expect(el.locator(".jw-stage").first).to_have_attribute(
        "data-id", "browse"
    )  # DOM order is kept...
    assert (
        el.locator('.jw-stage[data-id="browse"] .jw-stage-num').inner_text() == "02"
    )  # ...placement changed

    # 4. drag an emotion point from 0 (neutral) up to +2
    assert journey["mobile-home-page"].emotion == 0
    lane = el.locator(".jw-emo").bounding_box()
    dot = el.locator('.jw-dot[data-id="mobile-home-page"]')
    x, _ = center(dot.bounding_box())
    drag(page, dot, (x, emotion_y(lane, 2)))
    h.wait_until(lambda: journey["mobile-home-page"].emotion == 2)
    expect(dot).to_have_attribute("data-tone", "positive")

    # 5. add a comment from the side panel
    n = len(journey.comments)
    tp_loc(h, "cart-page").locator(".jw-channel").click()
    expect(h.el.locator(".jw-panel")).to_be_visible()
    h.wait_until(lambda: w.selected == "cart-page")
    panel = el.locator(".jw-panel")
    panel.locator(".jw-comment-author").fill("Ana")
    panel.locator(".jw-comment-text").fill("Is the sold-out notice clear?")
    panel.get_by_role("button", name="Comment", exact=True).click()
    h.wait_until(lambda: len(journey.comments) == n + 1)
    c = journey.comments[-1]
    assert (c.target, c.author, c.text) == ("cart-page", "Ana", "Is the sold-out notice clear?")
    expect(panel.locator(".jw-comment")).to_have_count(1)
    expect(tp_loc(h, "cart-page").locator(".jw-cbadge .jw-count")).to_have_text("1")

    # 6. undo twice: the comment, then the emotion
    tp_loc(h, "cart-page").focus()
    page.keyboard.press("Control+z")
    h.wait_until(lambda: len(journey.comments) == n)
    page.keyboard.press("Control+z")
    h.wait_until(lambda: journey["mobile-home-page"].emotion == 0)
    expect(dot).to_have_attribute("data-tone", "neutral")
    assert [s.id for s in journey.stages][:2] == ["search-compare", "browse"]  # earlier edits stay

    # 7. redo once: the emotion is back
    page.keyboard.press("Control+Shift+z")
    h.wait_until(lambda: journey["mobile-home-page"].emotion == 2)
    assert len(journey.comments) == n
    assert journey.can_redo
    expect(dot).to_have_attribute("data-tone", "positive")


def test_typing_is_debounced_and_flushed_on_blur(page, mapview, journey):
    w, h = mapview
    name = tp_loc(h, "cart-page").locator('[data-field="name"]')
    name.click()
    page.keyboard.press("End")
    page.keyboard.type(" v2", delay=30)
    h.sync()
    assert journey["cart-page"].name == "Cart page"  # not yet: still typing
    h.wait_until(lambda: journey["cart-page"].name == "Cart page v2", timeout=3)
    # a few keystrokes then blur: sent at once
    page.keyboard.type("!")
    page.keyboard.press("Tab")
    h.wait_until(lambda: journey["cart-page"].name == "Cart page v2!")
    # one undo step per flushed edit, never per keystroke
    assert len([x for x in journey.history() if "cart page" in x.lower()]) <= 2


def test_focus_and_caret_survive_python_changes(page, mapview, journey):
    w, h = mapview
    name = tp_loc(h, "payment-step").locator('[data-field="name"]')
    name.click()
    page.keyboard.press("End")
    page.keyboard.type(" one", delay=10)
    # meanwhile Python changes other things (and the debounced edit lands)
    journey.update("cart-page", name="Changed from Python", emotion=2)
    journey.add_touchpoint("Late arrival", stage="checkout", channel="email")
    h.wait_until(lambda: journey["payment-step"].name == "Payment step one")
    expect(tp_loc(h, "cart-page").locator('[data-field="name"]')).to_have_text(
        "Changed from Python"
    )
    page.keyboard.type(" two", delay=10)
    expect(name).to_be_focused()
    page.keyboard.press("Enter")
    h.wait_until(lambda: journey["payment-step"].name == "Payment step one two")


def test_invalid_edit_shows_a_message_and_keeps_the_text(page, mapview, journey):
    w, h = mapview
    stage_name = h.el.locator('.jw-stage[data-id="cart"] [data-field="name"]')
    stage_name.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.press("Enter")  # an empty name is refused by the model
    h.wait_until(lambda: w._error != "")
    error = h.el.locator(".jw-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("name")
    assert journey["cart"].name == "Cart"
    expect(stage_name).to_have_class(re.compile(r"\bjw-invalid\b"))
    # fix it: the message goes, the name lands
    stage_name.click()
    page.keyboard.type("Basket")
    page.keyboard.press("Enter")
    h.wait_until(lambda: journey["cart"].name == "Basket")
    expect(error).to_be_hidden()
    expect(stage_name).not_to_have_class(re.compile(r"\bjw-invalid\b"))


def test_keyboard_emotion_mot_moves_and_delete(page, mapview, journey):
    w, h = mapview
    dot = h.el.locator('.jw-dot[data-id="cart-page"]')
    dot.focus()
    page.keyboard.press("ArrowUp")
    h.wait_until(lambda: journey["cart-page"].emotion == 1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    h.wait_until(lambda: journey["cart-page"].emotion == -1)
    page.keyboard.press("m")
    h.wait_until(lambda: journey["cart-page"].moment_of_truth)
    expect(dot).to_have_class(re.compile(r"\bjw-dot-mot\b"))
    # Alt+arrows move a focused touchpoint; the focus follows it
    card = tp_loc(h, "cart-page")
    card.focus()
    page.keyboard.press("Alt+ArrowLeft")
    h.wait_until(lambda: journey["cart-page"].stage == "search-compare")
    assert [t.id for t in journey.touchpoints_in("search-compare")][-1] == "cart-page"
    expect(tp_loc(h, "cart-page")).to_be_focused()
    page.keyboard.press("Alt+ArrowRight")
    h.wait_until(lambda: journey["cart-page"].stage == "cart")
    # Alt+arrows reorder stages and lanes
    h.el.locator('.jw-stage[data-id="delivery"]').focus()
    page.keyboard.press("Alt+ArrowLeft")
    h.wait_until(lambda: [s.id for s in journey.stages].index("delivery") == 3)
    h.el.locator('.jw-lane[data-id="metrics"]').focus()
    page.keyboard.press("Alt+ArrowUp")
    h.wait_until(lambda: [l.id for l in journey.lanes].index("metrics") == len(journey.lanes) - 2)
    # Delete removes the focused item; undo brings it back
    tp_loc(h, "cart-reminder-email").focus()
    page.keyboard.press("Delete")
    h.wait_until(lambda: "cart-reminder-email" not in journey)
    page.keyboard.press("Control+z")
    h.wait_until(lambda: "cart-reminder-email" in journey)


def test_add_and_delete_with_buttons(page, mapview, journey):
    w, h = mapview
    el = h.el
    n_stages = len(journey.stages)
    el.get_by_role("button", name="Stage", exact=True).click()
    h.wait_until(lambda: len(journey.stages) == n_stages + 1)
    new_stage = journey.stages[-1].id
    name = el.locator(f'.jw-stage[data-id="{new_stage}"] [data-field="name"]')
    expect(name).to_be_focused()  # ready to type its name
    page.keyboard.type("Loyalty")
    page.keyboard.press("Enter")
    h.wait_until(lambda: journey[new_stage].name == "Loyalty")
    # a touchpoint in the new (empty) stage
    el.locator(f'.jw-cell[data-lane="touchpoints"][data-stage="{new_stage}"] .jw-add').click()
    h.wait_until(lambda: len(journey.touchpoints_in(new_stage)) == 1)
    page.keyboard.type("Points email")
    page.keyboard.press("Enter")
    tp_id = journey.touchpoints_in(new_stage)[0].id
    h.wait_until(lambda: journey[tp_id].name == "Points email")
    # a card in a card lane
    el.locator(f'.jw-cell[data-lane="pain-points"][data-stage="{new_stage}"] .jw-add').click()
    h.wait_until(
        lambda: any(c.stage == new_stage and c.lane == "pain-points" for c in journey.cards)
    )
    page.keyboard.type("Points expire too soon")
    page.keyboard.press("Escape")  # Escape without a pending flush keeps what was sent? no: revert
    card = next(c for c in journey.cards if c.stage == new_stage)
    assert card.text == ""
    card_text = el.locator(f'.jw-card[data-id="{card.id}"] [data-field="text"]')
    expect(card_text).to_have_text("")
    card_text.click()
    page.keyboard.type("Points expire too soon")
    card_text.blur()
    h.wait_until(lambda: journey[card.id].text == "Points expire too soon")
    # a lane
    el.locator(".jw-add-lane").select_option("needs")
    h.wait_until(lambda: any(l.kind == "needs" for l in journey.lanes))
    # delete the touchpoint with its × button, then the stage (takes its cards)
    tp = tp_loc(h, tp_id)
    tp.hover()
    tp.get_by_role("button", name="Delete touchpoint").click()
    h.wait_until(lambda: tp_id not in journey)
    stage = el.locator(f'.jw-stage[data-id="{new_stage}"]')
    stage.hover()
    stage.get_by_role("button", name="Delete stage").click()
    h.wait_until(lambda: new_stage not in journey)
    assert not any(c.stage == new_stage for c in journey.cards)


def test_drag_cards_between_stages_and_lanes_reorder(page, mapview, journey):
    w, h = mapview
    el = h.el
    card = el.locator('.jw-card[data-id="card-browse-actions"]')
    target = el.locator('.jw-cell[data-lane="thoughts"][data-stage="cart"]').bounding_box()
    card.hover()
    drag(page, card.locator(".jw-grip"), (target["x"] + 20, target["y"] + 10))
    h.wait_until(lambda: journey["card-browse-actions"].stage == "cart")
    c = journey["card-browse-actions"]
    assert (c.lane, c.stage) == ("thoughts", "cart")
    assert [x.id for x in journey.cards if x.lane == "thoughts" and x.stage == "cart"][
        0
    ] == "card-browse-actions"
    # lanes: drag "Backstage" above "Customer actions"
    lane = el.locator('.jw-lane[data-id="backstage"]')
    lane.hover()
    top = el.locator('.jw-lane[data-id="actions"]').bounding_box()
    drag(page, lane.locator(".jw-grip"), (top["x"] + 40, top["y"] + 4))
    h.wait_until(lambda: journey.lanes[0].id == "backstage")


def test_side_panel_edits_every_field(page, mapview, journey):
    w, h = mapview
    w.selected = "delivery-and-try-on"
    panel = h.el.locator(".jw-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".jw-panel-title")).to_have_text("Delivery and try-on")
    row = lambda key: panel.locator(f'.jw-frow[data-key="{key}"]')  # noqa: E731
    row("channel").locator("input").fill("in_person")
    row("channel").locator("input").press("Enter")
    h.wait_until(lambda: journey["delivery-and-try-on"].channel == "in_person")
    row("stage").locator("select").select_option("returns-support")
    h.wait_until(lambda: journey["delivery-and-try-on"].stage == "returns-support")
    row("pain_points").locator("textarea").fill("Box too big\nNo return label")
    row("pain_points").locator("textarea").blur()
    h.wait_until(
        lambda: journey["delivery-and-try-on"].pain_points == ["Box too big", "No return label"]
    )
    row("evidence").get_by_label("Survey").check()
    h.wait_until(lambda: "survey" in journey["delivery-and-try-on"].evidence)
    row("moment_of_truth").locator("input").check()
    h.wait_until(lambda: journey["delivery-and-try-on"].moment_of_truth)
    row("emotion").get_by_role("button", name="Clear").click()
    h.wait_until(lambda: journey["delivery-and-try-on"].emotion is None)
    expect(h.el.locator('.jw-dot[data-id="delivery-and-try-on"]')).to_have_attribute(
        "data-tone", "unset"
    )
    # the journey's own fields
    h.el.locator(".jw-title").click()
    expect(panel.locator(".jw-panel-kind")).to_have_text("Journey")
    h.wait_until(lambda: w.selected == journey.id)
    panel.locator('.jw-frow[data-key="state"] select').select_option("to_be")
    h.wait_until(lambda: journey.state == "to_be")
    # close the panel: the selection stays; "Details" opens it again
    panel.get_by_role("button", name="Close panel").click()
    expect(panel).to_be_hidden()
    assert w.selected == journey.id
    h.el.get_by_role("button", name="Details").click()
    expect(panel).to_be_visible()
    # Escape on a focused item clears the selection
    tp_loc(h, "cart-page").focus()
    page.keyboard.press("Escape")
    h.wait_until(lambda: w.selected == "")
    expect(panel).to_be_hidden()


def test_two_views_stay_in_sync_and_selection_is_shared(page, mapview, journey):
    w, h = mapview
    h.render()  # the same widget displayed a second time
    expect(h.view(1).locator(".jw-tp")).to_have_count(18)
    rename(page, tp_loc(h, "payment-step", 0).locator('[data-field="name"]'), "Pay")
    h.wait_until(lambda: journey["payment-step"].name == "Pay")
    expect(tp_loc(h, "payment-step", 1).locator('[data-field="name"]')).to_have_text("Pay")
    tp_loc(h, "carrier-tracking-page", 1).locator(".jw-channel").click()
    h.wait_until(lambda: w.selected == "carrier-tracking-page")
    expect(tp_loc(h, "carrier-tracking-page", 0)).to_have_class(re.compile(r"\bjw-selected\b"))
    w.selected = "cart"
    expect(h.view(0).locator('.jw-stage[data-id="cart"]')).to_have_class(
        re.compile(r"\bjw-selected\b")
    )
    expect(h.view(1).locator('.jw-stage[data-id="cart"]')).to_have_class(
        re.compile(r"\bjw-selected\b")
    )
    # Python edits show in both at once
    journey.update("cart", name="Basket")
    for v in (0, 1):
        expect(h.view(v).locator('.jw-stage[data-id="cart"] [data-field="name"]')).to_have_text(
            "Basket"
        )
    # undo in view 1 undoes view 0's rename (one history)
    journey.undo()
    h.view(1).locator('.jw-stage[data-id="cart"]').focus()
    page.keyboard.press("Control+z")
    h.wait_until(lambda: journey["payment-step"].name == "Payment step")
    expect(tp_loc(h, "payment-step", 0).locator('[data-field="name"]')).to_have_text("Payment step")


def test_read_only_map_has_no_edit_affordances(page, standalone, journey):
    page.set_viewport_size(BIG)
    w = JourneyWidget(journey, editable=False)
    h = standalone(w)
    el = h.el
    expect(el.locator(".jw-tp")).to_have_count(18)
    for sel in (
        "[contenteditable]",
        ".jw-grip",
        ".jw-del",
        ".jw-add",
        ".jw-add-stage",
        ".jw-add-lane",
    ):
        expect(el.locator(sel)).to_have_count(0)
    expect(el.locator(".jw-chip-readonly")).to_have_text("Read-only")
    # selecting still works; the panel shows values, not inputs
    tp_loc(h, "site-search").click()
    h.wait_until(lambda: w.selected == "site-search")
    expect(el.locator(".jw-panel input, .jw-panel textarea, .jw-panel select")).to_have_count(0)
    expect(el.locator(".jw-panel")).to_contain_text("Site search")
    # keyboard does nothing to the model
    before = journey.to_dict()
    el.locator('.jw-dot[data-id="site-search"]').dispatch_event("keydown", {"key": "ArrowUp"})
    page.keyboard.press("Control+z")
    h.sync()
    assert journey.to_dict() == before
    # Python changes still show; switching editable on gives the editor
    journey.update("site-search", name="Search")
    expect(tp_loc(h, "site-search").locator('[data-field="name"]')).to_have_text("Search")
    w.editable = True
    expect(el.locator(".jw-tp [contenteditable]")).to_have_count(18)


def test_metrics_render_when_present(page, mapview, journey):
    w, h = mapview
    w._metrics = {
        "touchpoints": {"cart-page": {"customers": 1234, "share": 0.42, "median_next_s": 3720}},
        "stages": {
            "browse": {"customers": 5000, "conversion": None, "dropoff": 2000, "dropoff_rate": 0.4},
            "cart": {"customers": 1234, "conversion": 0.41, "dropoff": 300, "dropoff_rate": 0.243},
        },
        "feedback": {"cart-page": {"score": 3.6, "n": 87, "emotion": -0.5}},
    }
    tp = tp_loc(h, "cart-page")
    # every figure says what it is and its unit
    expect(tp.locator(".jw-tp-stats .jw-fig")).to_have_text(
        [re.compile(r"^1,234 customers\s·\s42\s%$"), "1h 2m to next", "Score 3.6"]
    )
    stage = h.el.locator('.jw-stage[data-id="cart"] .jw-funnel .jw-fig')
    expect(stage).to_have_text(["1,234 customers", re.compile(r"^41\s% from previous$"), re.compile(r"^−300 lost \(24\s%\)$")])
    mblock = h.el.locator('.jw-mblock[data-id="cart-page"]')
    expect(mblock.locator('.jw-mrow[data-k="Median to next"]')).to_have_text("1h 2m")
    expect(mblock.locator(".jw-mrow").last).to_have_attribute("data-k", "Feedback (n=87)")
    # a touchpoint without figures in bound data reads "no data" (never a bare label or a 0)
    expect(tp_loc(h, "site-search").locator(".jw-tp-stats")).to_have_text("no data")
    expect(h.el.locator(".jw-emo-fb")).to_have_attribute("d", re.compile(r"^M"))
    # metrics change: only the touched items are re-rendered
    before = page.evaluate(
        "() => document.querySelector('.jw-root').parentElement.__journeyView.info.stats.updated"
    )
    w._metrics = {**w._metrics, "touchpoints": {"cart-page": {"customers": 99, "share": 0.1}}}
    expect(tp.locator(".jw-tp-stats")).to_contain_text("99 customers")
    after = page.evaluate(
        "() => document.querySelector('.jw-root').parentElement.__journeyView.info.stats.updated"
    )
    assert 0 < after - before <= 6  # the card, its metrics block, its cells: not the whole map


def test_python_change_patches_only_what_changed(page, mapview, journey):
    w, h = mapview
    # mark every node; after a rename only the renamed card's text may differ
    page.evaluate(
        "() => document.querySelectorAll('.jw-tp, .jw-card, .jw-stage').forEach(n => n.__mark = 1)"
    )
    journey.update("payment-step", name="Pay now")
    expect(tp_loc(h, "payment-step").locator('[data-field="name"]')).to_have_text("Pay now")
    unmarked = page.evaluate(
        "() => [...document.querySelectorAll('.jw-tp, .jw-card, .jw-stage')].filter(n => !n.__mark).length"
    )
    assert unmarked == 0  # nothing was rebuilt, the existing node was patched
    stats = page.evaluate(
        "() => document.querySelector('.jw-root').parentElement.__journeyView.info.stats"
    )
    assert stats["created"] > 0


def test_zoom_to_fit_and_edit_while_zoomed(page, standalone, journey):
    page.set_viewport_size({"width": 1400, "height": 1000})
    w = JourneyWidget(journey)
    h = standalone(w)
    el = h.el
    el.locator(".jw-zoom").select_option("fit")
    grid = el.locator(".jw-grid").bounding_box()
    scroller = el.locator(".jw-scroll").bounding_box()
    assert (
        grid["x"] + grid["width"] <= scroller["x"] + scroller["width"] + 1
    )  # the whole map in view
    h.el.screenshot(
        path=str(
            __import__("pathlib").Path(__file__).parents[1]
            / "artifacts"
            / "widget-ecommerce-purchase-fit.png"
        )
    )
    # drag and drop still land where they are dropped
    card = tp_loc(h, "dispatch-notification")
    card.hover()
    target = tp_loc(h, "online-returns-portal").bounding_box()
    drag(page, card, (target["x"] + 3, target["y"] + target["height"] / 2))  # at fit, cards are chips: dragged by their body
    h.wait_until(lambda: journey["dispatch-notification"].stage == "returns-support")
    assert [t.id for t in journey.touchpoints_in("returns-support")][0] == "dispatch-notification"
    lane = el.locator(".jw-emo").bounding_box()
    dot = el.locator('.jw-dot[data-id="cart-page"]')
    x, _ = center(dot.bounding_box())
    drag(page, dot, (x, emotion_y(lane, -2)))
    h.wait_until(lambda: journey["cart-page"].emotion == -2)
