"""The journey map widget inside a real JupyterLab 4, with a real kernel."""

from __future__ import annotations

from playwright.sync_api import expect

SETUP = """\
import journeywidget as jw
j = jw.Journey.from_template("ecommerce-purchase")
w = jw.JourneyWidget(j)
w"""


def center(box):
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_edit_in_lab_and_python_sees_it(page, lab_notebook):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nb = lab_notebook([SETUP])
    out = nb.run_cell(0)
    tps = out.locator(".jw-tp")
    expect(tps).to_have_count(18, timeout=30_000)
    root = out.locator(".jw-root")
    expect(root).to_have_attribute("data-lm-suppress-shortcuts", "true")

    # rename by typing: Ctrl+A, letters and Enter must not reach notebook shortcuts
    cells_before = nb.cells.count()
    name = out.locator('.jw-tp[data-id="site-search"] [data-field="name"]')
    name.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("Search box")
    page.keyboard.press("Enter")
    expect(name).to_have_text("Search box")
    # "a"/"b" would have inserted cells, "dd" deleted one, in command mode
    page.keyboard.press("Escape")
    assert nb.cells.count() == cells_before

    # drag "Mobile home page" from Browse to the front of "Search & compare"
    out.get_by_role(
        "button", name="Close panel"
    ).click()  # the details drawer covers the right edge
    card = out.locator('.jw-tp[data-id="mobile-home-page"]')
    card.hover()
    grip = card.locator(".jw-grip")
    target = out.locator('.jw-tp[data-id="site-search"]').bounding_box()
    x0, y0 = center(grip.bounding_box())
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 8, y0 + 2, steps=2)
    page.mouse.move(target["x"] + 12, target["y"] + target["height"] / 2, steps=15)
    page.mouse.up()
    moved = out.locator(
        '.jw-cell[data-lane="touchpoints"][data-stage="search-compare"] .jw-tp'
    ).first
    expect(moved).to_have_attribute("data-id", "mobile-home-page")

    # the kernel's model has both edits
    printed = nb.run_code(
        "print(j['site-search'].name, '|', j['mobile-home-page'].stage, '|', "
        "[t.id for t in j.touchpoints_in('search-compare')][0], '|', j.can_undo)"
    )
    expect(printed).to_contain_text("Search box | search-compare | mobile-home-page | True")

    # a change from Python shows at once
    nb.run_code("j.update('cart-page', name='Changed in Python', emotion=2)")
    expect(out.locator('.jw-tp[data-id="cart-page"] [data-field="name"]')).to_have_text(
        "Changed in Python"
    )
    expect(out.locator('.jw-dot[data-id="cart-page"]')).to_have_attribute("data-tone", "positive")

    # undo from the page reaches Python's history
    out.locator('.jw-tp[data-id="cart-page"]').focus()
    page.keyboard.press("Control+z")
    expect(out.locator('.jw-tp[data-id="cart-page"] [data-field="name"]')).to_have_text("Cart page")
    printed = nb.run_code("print(j['cart-page'].name, j['cart-page'].emotion)")
    expect(printed).to_contain_text("Cart page 0")


def test_widget_displayed_twice_in_lab(page, lab_notebook):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nb = lab_notebook([SETUP, "w"])
    first = nb.run_cell(0)
    second = nb.run_cell(1)
    expect(first.locator(".jw-tp")).to_have_count(18, timeout=30_000)
    expect(second.locator(".jw-tp")).to_have_count(18, timeout=30_000)

    # edit in the second view: the first follows, and so does Python
    stage = second.locator('.jw-stage[data-id="cart"] [data-field="name"]')
    stage.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("Basket")
    page.keyboard.press("Enter")
    expect(first.locator('.jw-stage[data-id="cart"] [data-field="name"]')).to_have_text("Basket")
    printed = nb.run_code("print(j['cart'].name)")
    expect(printed).to_contain_text("Basket")

    # a Python change updates both views; selection is shared
    nb.run_code("j.add_stage('Loyalty'); w.selected = 'loyalty'")
    for view in (first, second):
        expect(view.locator('.jw-stage[data-id="loyalty"] [data-field="name"]')).to_have_text(
            "Loyalty"
        )
        expect(view.locator('.jw-stage[data-id="loyalty"]')).to_have_class(
            __import__("re").compile(r"\bjw-selected\b")
        )
    # a refused edit shows its message in both views, and the kernel model is untouched
    nb.run_code("w.editable = False")
    expect(first.locator("[contenteditable]")).to_have_count(0)
    expect(second.locator(".jw-chip-readonly")).to_be_visible()
