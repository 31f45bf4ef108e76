"""Issue 10 on the map, in Chromium: the counting controls (unit, funnel mode, window) set
Python's traits and every number says what it counts; skip / back rates under each stage
with their intervals; flows between stage columns (forward, skip, back arcs, labelled on
hover) switched on like an overlay, and the selected touchpoint's own flows; "Add as
opportunity" and "Persona from cluster" edit the map (undoably). Screenshots land in
tests/artifacts/ (light and dark)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

import journeywidget as jw
from bigmap import big_widget

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", session="session_id")


def _shoot(page, h, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(200)
    h.el.screenshot(path=str(ARTIFACTS / name))


def test_counting_controls_flows_and_data_actions(page, standalone, harness_server, requests_log):
    page.set_viewport_size({"width": 1500, "height": 1000})
    w = jw.JourneyWidget(jw.datasets.clickstream_journey())
    w.bind_events(jw.datasets.clickstream(customers=600, seed=3), **ARGS)
    h = standalone(w)
    el = h.el
    stages = [s.id for s in w.journey.stages]

    # 1. what the numbers count: the chip says it, the selects set Python's traits
    chip = el.locator(".jw-definition")
    expect(chip).to_have_text(w._metrics["definition"])  # hidden with a kernel: the selects say it
    expect(el.locator(".jw-counting")).to_have_attribute("title", w._metrics["description"])
    assert w._metrics["definition"].startswith("ordered funnel · customers")
    el.locator(".jw-unit-select").select_option("session")
    h.wait_until(lambda: w.unit == "session" and w.metrics.unit == "session")
    expect(chip).to_contain_text("ordered funnel · sessions")
    el.locator(".jw-window-select").select_option("7D")
    h.wait_until(lambda: w.window == "7D")
    expect(chip).to_contain_text("7-day window")
    second = el.locator(f'.jw-stage[data-id="{stages[1]}"]')
    n = w._metrics["stages"][stages[1]]["reached"]
    expect(second.locator(".jw-fig-customers")).to_have_attribute("data-value", str(n))
    expect(second.locator(".jw-fig-customers")).to_contain_text("sessions")
    conv = second.locator(".jw-fig-conversion")
    title = conv.get_attribute("title") or ""
    assert "95\u00a0% interval" in title and "ordered funnel · sessions · 7-day window" in title, title
    conf = second.locator(".jw-fig-conformance")
    expect(conf).to_contain_text(re.compile(r"skip \d+(\.\d)?\u00a0% · back \d+(\.\d)?\u00a0%"))
    assert "stepped back" in (conf.get_attribute("title") or "")
    el.locator(".jw-funnel-select").select_option("reached")
    h.wait_until(lambda: w.funnel == "reached")
    expect(chip).to_contain_text("reached")
    expect(el.locator(".jw-window-select")).to_be_disabled()
    el.locator(".jw-funnel-select").select_option("ordered")
    h.wait_until(lambda: w.funnel == "ordered")

    # 2. flows between stage columns, widths by count, labels on hover
    btn = el.locator(".jw-flows-btn")
    expect(btn).to_be_visible()
    btn.click()
    expect(btn).to_have_attribute("aria-pressed", "true")
    arcs = el.locator(".jw-flows .jw-flow")
    flows = w._metrics["flows"]
    expect(arcs).to_have_count(len([f for f in flows if f[0] != f[1]]))
    kinds = set(el.evaluate("(r) => Array.from(r.querySelectorAll('.jw-flows .jw-flow')).map((g) => g.getAttribute('class'))"))
    assert any("jw-flow-forward" in k for k in kinds) and any("jw-flow-back" in k for k in kinds), kinds
    biggest = max(flows, key=lambda f: f[2])
    arc = el.locator(f'.jw-flows .jw-flow[data-from="{biggest[0]}"][data-to="{biggest[1]}"]')
    assert f"{biggest[2]:,}" in arc.locator("title").text_content()
    widths = el.evaluate("(r) => Array.from(r.querySelectorAll('.jw-flows .jw-flow path')).map((p) => Number(p.getAttribute('stroke-width')))")
    assert max(widths) == float(arc.locator("path").get_attribute("stroke-width"))
    label = arc.locator(".jw-flow-label")
    expect(label).to_be_hidden()
    mid = arc.locator("path").evaluate("""(p) => {
      const pt = p.getPointAtLength(p.getTotalLength() / 2), m = p.getScreenCTM();
      return [pt.x * m.a + m.e, pt.y * m.d + m.f];
    }""")
    page.mouse.move(mid[0], mid[1])
    expect(label).to_be_visible()
    _shoot(page, h, "analytics-flows-light.png")
    # the selected touchpoint's own flows: where people go next / come from
    tp = max(w._metrics["touchpoints"], key=lambda t: w._metrics["touchpoints"][t]["units"])
    w.selected = tp
    h.sync()
    expect(el.locator(".jw-flows-title")).to_contain_text("Flows of")
    nxt = [t for t in w._metrics["transitions"] if t[0] == tp and t[1] != tp]
    expect(el.locator(f'.jw-flows .jw-flow[data-from="{tp}"]')).to_have_count(min(5, len(nxt)))
    w.selected = ""
    h.sync()
    expect(el.locator(".jw-flows-title")).to_have_text("Flows")

    # 3. add as opportunity; persona from cluster (both undoable edits)
    el.locator(".jw-insights-btn").click()
    opp = el.locator(".jw-opportunity").first
    target = opp.get_attribute("data-target")
    before = w.journey.to_dict()
    opp.locator("button").click()
    h.wait_until(lambda: w.journey.to_dict() != before)
    item = w.journey[target] if any(t.id == target for t in w.journey.touchpoints) else None
    assert item is None or item.opportunities, target
    el.locator('[data-group="clusters"] button').click()
    h.wait_until(lambda: len(w._metrics["clusters"]) >= 2)
    h.sync()
    personas = len(w.journey.personas)
    el.locator(".jw-cluster button").first.click()
    h.wait_until(lambda: len(w.journey.personas) == personas + 1)
    assert w.journey.personas[-1].segment.column == "cluster"
    expect(el.locator(".jw-cluster button").first).to_have_text("Added")
    w.undo()
    assert len(w.journey.personas) == personas
    h.sync()
    # the button follows the map: the persona is gone, so it offers it again
    expect(el.locator(".jw-cluster button").first).to_have_text("Persona from cluster")
    expect(el.locator(".jw-cluster button").first).to_be_enabled()
    _shoot(page, h, "analytics-insights-light.png")
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    el.locator(".jw-insights-btn").click()
    _shoot(page, h, "analytics-flows-dark.png")
    page.emulate_media(color_scheme="light")
    assert not [u for u in requests_log if not u.startswith(harness_server.url)]


def test_flows_on_the_big_map(page, standalone):
    """30 stages x 600 touchpoints with data: the flows strip draws an arc per stage flow at
    the stage columns; no unit select without sessions. Screenshots light and dark."""
    page.set_viewport_size({"width": 1400, "height": 900})
    w = big_widget()
    h = standalone(w)
    el = h.el
    expect(el.locator(".jw-tp")).to_have_count(len(w.journey.touchpoints), timeout=30_000)
    expect(el.locator(".jw-unit-select")).to_be_hidden()
    expect(el.locator(".jw-funnel-select")).to_be_visible()
    el.locator(".jw-flows-btn").click()
    flows = [f for f in w._metrics["flows"] if f[0] != f[1]]
    expect(el.locator(".jw-flows .jw-flow")).to_have_count(len(flows))
    first = w.journey.stages[0].id
    head = el.locator(f'.jw-stage[data-id="{first}"]').bounding_box()
    node = el.locator(".jw-flows .jw-flow-node").first.bounding_box()
    assert head["x"] <= node["x"] + node["width"] / 2 <= head["x"] + head["width"]  # at its column
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.evaluate(f"() => {{ document.body.style.background = '{'#0f1115' if scheme == 'dark' else '#fff'}'; }}")
        _shoot(page, h, f"analytics-big-flows-{scheme}.png")
    page.emulate_media(color_scheme="light")
