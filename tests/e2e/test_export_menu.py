"""The toolbar's Export menu in Chromium: the files arrive (Playwright's download event) with the right content.

With Python behind the page (the standalone harness bridges the real widget), JSON is
made in the page and HTML, SVG, PNG and CSV come from the kernel; without vl-convert
the page draws the PNG itself. The standalone HTML page offers what it can make alone.
The menu is used by keyboard too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from harness import retype, use_scheme
from samples import bound_widget


def download(page, root, label: str, timeout: float = 60_000):
    root.get_by_role("button", name="Export").click()
    with page.expect_download(timeout=timeout) as info:
        root.get_by_role("menuitem", name=re.compile(label)).click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_format_downloads_the_map_as_shown(page, standalone):
    w = bound_widget()
    w.journey.update("cart-page", name="Basket <b>page</b>")
    w.segment = w.metrics.segment_values[0]
    h = standalone(w)
    root = h.el
    expect(root.locator(".jw-tp")).to_have_count(18)
    h.sync()

    name, data = download(page, root, "JSON")
    assert name == f"{w.journey.id}.json"
    assert json.loads(data) == w.journey.to_dict()

    name, data = download(page, root, "SVG")
    svg = data.decode("utf-8")
    assert name.endswith(".svg") and svg.startswith("<svg")
    assert "Basket &lt;b&gt;page&lt;/b&gt;" in svg and "<b>page</b>" not in svg
    first = next(iter(w._metrics["touchpoints"].values()))
    assert f"{first['customers']:,}" in svg  # the numbers of the segment shown

    name, data = download(page, root, "CSV")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert name.endswith(".csv") and len(rows) == 18
    assert [r["touchpoint"] for r in rows if r["touchpoint_id"] == "cart-page"] == ["Basket <b>page</b>"]
    assert all(r["customers"] for r in rows)  # the numbers are in the table

    name, data = download(page, root, "HTML")
    page_html = data.decode("utf-8")
    assert name.endswith(".html") and page_html.startswith("<!DOCTYPE html>")
    data_json = json.loads(re.search(r'id="jw-data">(.*?)</script>', page_html, re.S).group(1))
    assert [t["name"] for t in data_json["state"]["_doc"]["touchpoints"] if t["id"] == "cart-page"] == ["Basket <b>page</b>"]
    assert data_json["state"]["overlay"] == "funnel"
    assert "<b>page</b>" not in page_html  # text, never markup

    name, data = download(page, root, "PNG")
    assert name.endswith(".png")
    width, height = png_size(data)
    assert width > 1000 and height > 300
    h.check()
    w.close()


def test_png_is_drawn_in_the_page_without_the_export_extra(page, standalone):
    w = bound_widget()
    w._exports = ["html", "svg", "csv"]  # what a kernel without vl-convert offers
    h = standalone(w)
    root = h.el
    expect(root.locator(".jw-tp")).to_have_count(18)
    name, data = download(page, root, "PNG")
    width, height = png_size(data)
    assert name.endswith(".png") and width > 1000 and height > 300
    asked = [m for m in h.custom_messages_to_python() if m.get("type") == "export"]
    assert [m["format"] for m in asked] == ["svg"]
    h.check()
    w.close()


def test_the_menu_by_keyboard(page, standalone):
    w = jw.JourneyWidget(jw.Journey.from_template("saas-onboarding"))
    h = standalone(w)
    root = h.el
    button = root.get_by_role("button", name="Export")
    expect(button).to_have_attribute("aria-haspopup", "menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = root.get_by_role("menu", name="Export the map as")
    items = menu.get_by_role("menuitem")
    expect(items).to_have_count(5)
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(1)).to_be_focused()
    page.keyboard.press("End")
    expect(items.nth(4)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(items.nth(0)).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    # Enter on an item downloads it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "saas-onboarding.html"
    expect(button).to_be_focused()
    h.check()
    w.close()


def test_a_refused_export_says_why(page, standalone):
    w = jw.JourneyWidget(jw.Journey.from_template("saas-onboarding"))
    w._exports = ["html", "svg", "csv", "pdf"]
    h = standalone(w)
    h.page.evaluate("""() => {
        const v = document.querySelector('.jw-root').parentElement.__journeyView;
        return v.exporter.run('pdf');
    }""")
    status = h.el.locator(".jw-export-status")
    expect(status).to_contain_text("Export failed: could not export pdf")
    h.check()
    w.close()


def test_standalone_page_offers_json_and_the_page_itself(page, tmp_path):
    w = bound_widget()
    path = tmp_path / "map.html"
    w.to_html(path, editable=True)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("document.documentElement.dataset.jwReady === '1'", timeout=20_000)
    root = page.locator("#jw-root")
    # edit in the page, then download the page itself: it carries the edit
    name = root.locator('.jw-tp[data-id="cart-page"] [data-field="name"]')
    retype(page, name, "Edited offline")
    expect(name).to_have_text("Edited offline")
    root.get_by_role("button", name="Export").click()
    labels = root.get_by_role("menuitem").all_inner_texts()
    assert [t.splitlines()[0] for t in labels] == ["JSON", "HTML page"]
    page.keyboard.press("Escape")
    fname, data = download(page, root, "JSON")
    assert json.loads(data)["touchpoints"][[t.id for t in w.journey.touchpoints].index("cart-page")]["name"] == "Edited offline"
    fname, data = download(page, root, "HTML")
    copy = tmp_path / fname
    copy.write_bytes(data)
    page.goto(copy.resolve().as_uri())
    page.wait_for_function("document.documentElement.dataset.jwReady === '1'", timeout=20_000)
    expect(page.locator('#jw-root .jw-tp[data-id="cart-page"] [data-field="name"]')).to_have_text("Edited offline")
    expect(page.locator("#jw-root .jw-root")).to_have_count(1)  # the copy renders one map, not two
    w.close()


def test_downloads_arrive_in_jupyterlab(page, lab_notebook):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nb = lab_notebook(["""\
import journeywidget as jw
j = jw.Journey.from_template("ecommerce-purchase")
j.update("cart-page", name="Basket in Lab")
w = jw.JourneyWidget(j)
w"""])
    out = nb.run_cell(0)
    expect(out.locator(".jw-tp")).to_have_count(18, timeout=30_000)
    root = out.locator(".jw-root").first
    name, data = download(page, root, "SVG")
    assert name == "ecommerce-purchase.svg" and "Basket in Lab" in data.decode("utf-8")
    name, data = download(page, root, "JSON")
    assert json.loads(data)["touchpoints"][[t["id"] for t in json.loads(data)["touchpoints"]].index("cart-page")]["name"] == "Basket in Lab"
    name, data = download(page, root, "PNG")
    assert png_size(data)[0] > 1000
    # pictures of the open menu for people to look at, in JupyterLab's light and dark themes
    from test_widget_screenshots import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        page.get_by_role("menuitem", name="Settings", exact=True).click()
        page.locator(".lm-Menu-item", has_text="Theme").first.click()
        page.locator(".lm-Menu-item", has_text=theme).first.click()
        page.wait_for_function("(light) => document.body.dataset.jpThemeLight === light",
                               arg=str(theme.endswith("Light")).lower())
        page.wait_for_timeout(500)
        root.get_by_role("button", name="Export").click()
        expect(root.get_by_role("menu")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"export-menu-lab-{theme.split()[-1].lower()}.png"),
                        clip={"x": 0, "y": 0, "width": 1400, "height": 600})
        page.keyboard.press("Escape")


def big_bound_widget(stages: int = 30, per_stage: int = 20):
    import pandas as pd

    ops = []
    for s in range(stages):
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s}"}})
        ops += [{"op": "add", "kind": "touchpoint", "item": {"id": f"t{s}-{t}", "name": f"Touchpoint {s}.{t}",
                                                           "stage": f"s{s}", "event_keys": [f"k{s}_{t}"]}}
                for t in range(per_stage)]
    j = jw.Journey("Thirty stages")
    j.batch(ops)
    rows = [(f"c{c}", s * 100 + k, f"k{s}_{(c + k) % per_stage}") for c in range(400)
            for s in range(c % stages + 1) for k in range(2)]
    w = jw.JourneyWidget(j)
    w.bind_events(pd.DataFrame(rows, columns=["customer", "ts", "event"]), customer="customer", time="ts",
                  touchpoint="event")
    return w


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["template", "big"])
def test_menu_screenshots(page, standalone, scheme, size):
    from test_widget_screenshots import ARTIFACTS

    use_scheme(page, scheme)
    w = bound_widget() if size == "template" else big_bound_widget()
    h = standalone(w)
    root = h.el
    expect(root.locator(".jw-tp")).to_have_count(len(w.journey.touchpoints), timeout=30_000)
    root.get_by_role("button", name="Export").click()
    menu = root.get_by_role("menu")
    expect(menu.get_by_role("menuitem")).to_have_count(5)
    box, frame = menu.bounding_box(), root.locator(".jw-root").bounding_box()
    # the menu opens inside the map's frame and the viewport (not cut off)
    assert box["x"] >= frame["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert box["y"] + box["height"] <= min(frame["y"] + frame["height"], 900) + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"export-menu-{size}-{scheme}.png"),
                    clip={"x": 0, "y": 0, "width": 1500, "height": 420})
    page.keyboard.press("Escape")
    h.check()
    w.close()
