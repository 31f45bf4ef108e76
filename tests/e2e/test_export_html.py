"""The standalone HTML export in headless Chromium, opened from file:// with every network request blocked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.export import html as html_mod

DATA = Path(__file__).resolve().parent.parent / "data"


def sample_doc() -> dict:
    return json.loads((DATA / "export_sample.json").read_text(encoding="utf-8"))


def sample_metrics() -> dict:
    return json.loads((DATA / "export_sample_metrics.json").read_text(encoding="utf-8"))


def wait_js(page, expression: str, timeout: float = 20_000) -> None:
    """Poll ``expression`` with page.evaluate (CDP, which the page's no-eval policy does not
    govern), instead of wait_for_function, whose predicate the page's CSP may refuse."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(f"() => !!({expression})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


class Offline:
    """Blocks every request that is not file:, data: or blob: and records what the page asked for."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.route("**/*", self._route)
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path, ready: str = "1") -> None:
        self.page.goto(path.resolve().as_uri())
        wait_js(self.page, "document.documentElement.dataset.jwReady !== undefined")
        got = self.page.evaluate("document.documentElement.dataset.jwReady")
        assert got == ready, (got, self.errors)

    def assert_offline(self) -> None:
        assert self.blocked == []
        assert all(u.startswith(("file:", "data:", "blob:")) for u in self.requests), self.requests
        assert self.dialogs == []


def test_standalone_page_shows_the_map_offline(page, tmp_path, jw_bundle):
    doc = sample_doc()
    out = tmp_path / "map.html"
    jw.export.to_html(jw.Journey.from_dict(doc), out, metrics=sample_metrics())
    net = Offline(page)
    net.open(out)
    root = page.locator("#jw-root")
    expect(root.locator(".jw-stage")).to_have_count(len(doc["stages"]))
    expect(root.locator(".jw-tp")).to_have_count(len(doc["touchpoints"]))
    for s in doc["stages"]:
        expect(root.locator(f'.jw-stage[data-id="{s["id"]}"]')).to_contain_text(s["name"])
    expect(root.locator('.jw-tp[data-id="checkout"]')).to_contain_text("Checkout page")
    expect(root.locator('.jw-tp[data-id="search-ad"]')).to_contain_text(re.compile(r"customers\s·\s80\s%"))  # labelled badges
    expect(root.locator(".jw-dot")).to_have_count(len(doc["touchpoints"]))  # unset emotions sit on the mid line
    expect(root.locator(".jw-readonly")).to_have_count(1)
    expect(page.locator("#jw-download")).to_have_count(0)
    # interactive while read-only: selecting works
    root.locator('.jw-tp[data-id="checkout"]').click()
    wait_js(page, "window.jwModel.get('selected') === 'checkout'")
    # an edit is refused by the page
    res = page.evaluate(
        """() => new Promise((resolve) => {
            window.jwModel.on('msg:custom', (m) => resolve(m));
            window.jwModel.send({type: 'ops', rid: 99, ops: [{op: 'remove', id: 'checkout'}]});
        })"""
    )
    assert res["ok"] is False and res["rid"] == 99
    expect(root.locator(".jw-tp")).to_have_count(len(doc["touchpoints"]))
    page.screenshot(path=str(tmp_path / "shot.png"))
    assert net.errors == []
    net.assert_offline()


def test_editable_page_edits_undoes_and_downloads(page, tmp_path, jw_bundle):
    doc = sample_doc()
    out = tmp_path / "edit.html"
    jw.export.to_html(doc, out, editable=True)
    net = Offline(page)
    net.open(out)
    root = page.locator("#jw-root")
    expect(root.locator(".jw-editable")).to_have_count(1)
    title = root.locator("h2.jw-title")
    title.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Edited in the page")
    page.keyboard.press("Enter")
    wait_js(page, "window.jwModel.get('_doc').title === 'Edited in the page'")
    assert page.evaluate("window.jwModel.get('_can_undo')") is True
    # an op through the page's applier: move a touchpoint to another stage
    res = page.evaluate(
        """() => new Promise((resolve) => {
            const h = (m) => { if (m.rid === 7) { window.jwModel.off('msg:custom', h); resolve(m); } };
            window.jwModel.on('msg:custom', h);
            window.jwModel.send({type: 'ops', rid: 7, ops: [{op: 'move', id: 'search-ad', stage: 'loyalty', index: 0}]});
        })"""
    )
    assert res["ok"] is True and res["error"] is None
    expect(root.locator('.jw-stage[data-id="loyalty"]')).to_have_count(1)
    assert page.evaluate("window.jwModel.get('_doc').touchpoints.find(t => t.id === 'search-ad').stage") == "loyalty"
    # a bad op is refused and the document is unchanged
    res = page.evaluate(
        """() => new Promise((resolve) => {
            const h = (m) => { if (m.rid === 8) { window.jwModel.off('msg:custom', h); resolve(m); } };
            window.jwModel.on('msg:custom', h);
            window.jwModel.send({type: 'ops', rid: 8, ops: [{op: 'add', kind: 'touchpoint', item: {name: 'X', stage: 'nowhere'}}]});
        })"""
    )
    assert res["ok"] is False and "nowhere" in res["error"]
    # undo the move from the widget's own toolbar
    root.get_by_role("button", name="Undo (Ctrl+Z)").click()
    wait_js(page, "window.jwModel.get('_doc').touchpoints.find(t => t.id === 'search-ad').stage === 'awareness'")
    with page.expect_download() as dl:
        page.locator("#jw-download").click()
    saved = Path(dl.value.path()).read_text(encoding="utf-8")
    j = jw.Journey.from_json(saved)  # a valid journey document
    assert j.title == "Edited in the page"
    assert j["search-ad"].stage == "awareness"
    assert dl.value.suggested_filename == "online-shoe-purchase.json"
    assert [e for e in net.errors if "nowhere" not in e] == []
    net.assert_offline()


def test_hostile_text_runs_no_script(page, tmp_path, jw_bundle):
    payloads = [
        "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</script><script>alert(3)</script>",
        "\"><svg onload=alert(4)>", "</noscript><img src=x onerror=alert(5)>", "<iframe src=javascript:alert(6)>",
    ]
    doc = sample_doc()
    doc["title"] = payloads[0]
    for i, tp in enumerate(doc["touchpoints"]):
        tp["name"] = payloads[i % len(payloads)]
        tp["pain_points"] = [payloads[(i + 1) % len(payloads)]]
    for i, c in enumerate(doc["cards"]):
        c["text"] = payloads[(i + 2) % len(payloads)]
    for s, p in zip(doc["stages"], payloads):
        s["name"] = p
    out = tmp_path / "xss.html"
    jw.export.to_html(doc, out, editable=True)
    net = Offline(page)
    net.open(out)
    page.wait_for_timeout(300)
    expect(page.locator("#jw-root .jw-tp").first).to_contain_text("<")  # shown as text
    assert page.evaluate("document.scripts.length") == 3
    assert page.evaluate("document.querySelectorAll('#jw-root img, #jw-root iframe, #jw-root script').length") == 0
    net.assert_offline()


def test_static_fallback_when_the_bundle_fails(page, tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "widget.js").write_text("throw new Error('broken bundle');\nexport default {};", encoding="utf-8")
    (static / "widget.css").write_text("", encoding="utf-8")
    monkeypatch.setattr(html_mod, "STATIC_DIR", static)
    out = tmp_path / "broken.html"
    jw.export.to_html(sample_doc(), out)
    net = Offline(page)
    net.open(out, ready="fallback")
    expect(page.locator("#jw-root .jw-static svg")).to_have_count(1)
    expect(page.locator("#jw-root .jw-static svg g.jw-touchpoint")).to_have_count(len(sample_doc()["touchpoints"]))
    net.assert_offline()


def test_noscript_picture_without_javascript(browser, tmp_path, jw_bundle):
    out = tmp_path / "map.html"
    jw.export.to_html(sample_doc(), out)
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(out.resolve().as_uri())
        expect(pg.locator("noscript .jw-static svg, .jw-static svg").first).to_be_visible()
        box = pg.locator(".jw-static svg").first.bounding_box()
        assert box is not None and box["width"] > 800
    finally:
        context.close()


@pytest.mark.parametrize("name", ["saas-onboarding"])
def test_template_page_renders(page, tmp_path, jw_bundle, name):
    j = jw.Journey.from_template(name)
    out = tmp_path / f"{name}.html"
    jw.export.to_html(j, out)
    net = Offline(page)
    net.open(out)
    expect(page.locator("#jw-root .jw-tp")).to_have_count(len(j.touchpoints))
    assert net.errors == []
    net.assert_offline()


def test_demo_report_renders_with_metrics_and_charts(page, tmp_path, jw_bundle):
    from journeywidget.export.demo import build_demo

    out = build_demo(tmp_path / "demo.html", customers=400, seed=2)
    net = Offline(page)
    net.open(out)
    root = page.locator("#jw-root")
    j = jw.Journey.from_template("ecommerce-purchase")
    expect(root.locator(".jw-tp")).to_have_count(len(j.touchpoints))
    expect(root.locator(".jw-funnel").nth(1)).to_contain_text("from previous")  # the first stage has no conversion
    page.wait_for_timeout(500)
    assert net.errors == []
    net.assert_offline()


def test_overlays_switch_in_the_read_only_page(page, tmp_path, jw_bundle):
    """Every built-in overlay is precomputed into the page: switching needs no kernel and no network."""
    j = jw.Journey.from_template("ecommerce-purchase")
    w = j.widget()
    events = jw.datasets.events(j, customers=1_500, seed=5)
    w.bind_events(events, customer="customer_id", time="timestamp", touchpoint="event")
    w.overlay = "emotion"
    out = tmp_path / "overlays.html"
    w.to_html(out)
    net = Offline(page)
    net.open(out)
    select = page.locator("select.jw-overlay-select, select").filter(has_text="Stage funnel").first
    expect(select).to_have_value("emotion")
    select.select_option("funnel")
    bars = page.locator("#jw-root .jw-band-stages svg g.mark-rect path")
    # drawn in the stage headers: per stage a track and a bar for customers reaching it, and
    # per later stage one for those lost since the one before
    expect(bars).to_have_count(3 * len(j.stages) - 1)
    select.select_option("metric")
    # in the metrics lane: a track and a bar under each touchpoint's figures
    expect(page.locator("#jw-root .jw-band-metrics svg g.mark-rect path")).to_have_count(2 * len(j.touchpoints))
    select.select_option("none")
    expect(page.locator("#jw-root svg g.mark-rect path")).to_have_count(0)
    net.assert_offline()
    assert net.errors == []
