"""Charts on the map, end to end: the real widget in headless Chromium, bridged to Python.

- after binding data the overlay renders as SVG with one mark per row;
- re-binding different data changes the marks within a second in the same
  Vega view (no re-embed);
- clicking a bar selects its touchpoint on the map and in Python;
- custom charts sit in their stage's cell and show their errors there;
- the page makes no request outside itself (everything is bundled).
"""

from __future__ import annotations

import pandas as pd
from playwright.sync_api import expect

import journeywidget as jw
from samples import tiny_journey

DAY0 = pd.Timestamp("2024-01-01")


def frame(events) -> pd.DataFrame:
    return pd.DataFrame({
        "user": [e[0] for e in events],
        "event": [e[1] for e in events],
        "ts": [DAY0 + pd.Timedelta(days=e[2]) for e in events],
    })


EVENTS_1 = [
    ("u1", "k_a1", 0), ("u1", "k_b1", 1), ("u1", "k_c1", 8),
    ("u2", "k_a1", 0), ("u2", "k_a2", 2), ("u2", "k_b1", 3),
    ("u3", "k_a2", 1),
    ("u4", "k_a1", 7), ("u4", "k_b1", 9), ("u4", "k_c1", 10),
]
# nobody reaches c1 any more; a2 and b1 gain customers
EVENTS_2 = [
    ("u1", "k_a1", 0), ("u1", "k_b1", 1),
    ("u2", "k_a2", 2), ("u3", "k_a2", 1), ("u5", "k_a1", 3), ("u5", "k_b1", 4),
    ("u6", "k_a2", 1), ("u6", "k_b1", 2), ("u7", "k_b1", 5),
]

OVERLAY = '.jw-chart[data-chart-key="overlay"]'


def bars(h):
    return h.el.locator(f"{OVERLAY} g.role-mark.mark-rect path")


def bound_widget() -> jw.JourneyWidget:
    w = jw.JourneyWidget(tiny_journey())
    w.bind_events(frame(EVENTS_1), customer="user", time="ts", touchpoint="event")
    w.show_overlay("metric", "customers")
    return w


def test_overlay_renders_updates_in_place_and_links_selection(
    standalone, page, harness_server, jw_bundle, requests_log
):
    w = bound_widget()
    h = standalone(w)
    expect(bars(h)).to_have_count(4)  # a1, a2, b1, c1
    chart = h.el.locator(OVERLAY)
    heights_js = "(ps) => ps.map((p) => Math.round(p.getBBox().height))"
    before = bars(h).evaluate_all(heights_js)
    # customers 3, 2, 3, 2: equal pairs
    assert before[0] == before[2] and before[1] == before[3] and before[0] > before[1] > 0, before
    assert chart.get_attribute("data-embeds") == "1"
    serial = chart.get_attribute("data-view-serial")
    # tag the live SVG node: a re-embed would replace it
    chart.locator("svg").first.evaluate("(svg) => { svg.__jwTag = 'first-view'; }")

    w.bind_events(frame(EVENTS_2), customer="user", time="ts", touchpoint="event")
    h.sync()
    # customers now a1 2, a2 3, b1 4, c1 0
    page.wait_for_function(
        """(before) => {
             const ps = document.querySelectorAll('.jw-chart[data-chart-key="overlay"] g.role-mark.mark-rect path');
             const hs = Array.from(ps).map((p) => Math.round(p.getBBox().height));
             return hs.length === 4 && hs[3] === 0 && hs[2] > hs[1] && hs[1] > hs[0] && hs[0] > 0;
           }""",
        arg=before,
        timeout=15_000,
    )
    assert chart.get_attribute("data-view-serial") == serial
    assert chart.get_attribute("data-embeds") == "1"
    assert int(chart.get_attribute("data-data-updates")) >= 1
    assert chart.locator("svg").first.evaluate("(svg) => svg.__jwTag") == "first-view"
    assert bars(h).evaluate_all(heights_js) != before

    # clicking the bar of b1 selects it on the map and in Python
    b1_bar = bars(h).nth(2)
    b1_bar.click()
    h.wait_until(lambda: w.selected == "b1", timeout=5)
    expect(h.el.locator('.jw-tp[data-id="b1"]')).to_have_class(__import__("re").compile(r"jw-selected"))
    # ... and the selection highlights the matching bar in the chart
    opacities = bars(h).evaluate_all(
        "(ps) => ps.map((p) => p.getAttribute('opacity') || p.style.opacity || '1')"
    )
    assert opacities[2] in ("1", "") and all(o not in ("1", "") for i, o in enumerate(opacities) if i != 2), opacities

    # selecting from Python highlights the other bar
    w.selected = "a1"
    h.sync()
    page.wait_for_function(
        """() => { const ps = document.querySelectorAll('.jw-chart[data-chart-key="overlay"] g.role-mark.mark-rect path');
                   return ps.length === 4 && (ps[0].getAttribute('opacity') || '1') === '1'
                          && (ps[2].getAttribute('opacity') || '1') !== '1'; }"""
    )

    outside = [u for u in requests_log if not u.startswith(harness_server.url)]
    assert outside == [], outside


def test_overlay_switcher_funnel_emotion_and_custom_charts(standalone, page, harness_server, jw_bundle, requests_log):
    w = bound_widget()
    w.bind_feedback(
        pd.DataFrame({"tp": ["k_a1"] * 3 + ["k_b1"] * 2, "score": [5, 4, 2, 1, 2]}),
        touchpoint="tp", score="score",
    )
    calls: list[int] = []

    def per_event(rows):
        import altair as alt

        calls.append(len(rows))
        counts = rows.groupby("event").size().reset_index(name="n")
        return alt.Chart(counts).mark_bar().encode(x="event:N", y="n:Q")

    def broken(rows):
        return len(rows) / 0

    w.add_chart(per_event, at="b", name="per_event")
    w.add_chart(broken, at="c", name="broken")
    h = standalone(w)
    expect(bars(h)).to_have_count(4)

    # the switcher in the toolbar drives the `overlay` trait
    h.el.locator("select.jw-overlay-select").select_option("funnel")
    h.wait_until(lambda: w.overlay == "funnel")
    # drawn on the map: in the stage headers' band, one bar per stage aligned with its column
    band = h.el.locator(f".jw-band-stages {OVERLAY}")
    # 3 tracks + 3 stage bars + 2 drop-off bars (B and C lost a customer each)
    expect(band.locator("g.role-mark.mark-rect path")).to_have_count(8)
    expect(band.locator("g.role-mark.mark-text text")).to_have_count(2)  # conversion labels
    page.wait_for_timeout(200)
    cols = h.el.evaluate("""(root) => [...root.querySelectorAll('.jw-stage')].map((s) => {
        const r = s.querySelector('.jw-band-chart').getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; })""")
    marks = band.locator("g.role-mark.mark-rect").nth(2).evaluate(
        "(g) => [...g.querySelectorAll('path')].map((p) => { const r = p.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; })")
    assert len(marks) == 3
    for (l0, r0, t0, b0), (l1, r1, t1, b1) in zip(cols, marks):
        assert abs(l1 - l0) < 1.5 and r1 <= r0 + 1.5 and t1 >= t0 - 1.5 and b1 <= b0 + 1.5, (cols, marks)

    w.overlay = "emotion"
    h.sync()
    # on the emotions lane: the 2 feedback diamonds beside the lane's own points (4: c1 unset)
    lane = h.el.locator(f".jw-emo {OVERLAY}")
    expect(lane.locator("g.role-mark.mark-symbol path")).to_have_count(2)
    expect(h.el.locator(".jw-emo .jw-dot")).to_have_count(4)

    # the custom chart sits in the charts row under stage B and has one bar per event key there
    stage_b = h.el.locator('[data-kind="stage-charts"][data-stage="b"]')
    expect(stage_b.locator('.jw-chart[data-chart-key="per_event"] g.role-mark.mark-rect path')).to_have_count(1)
    # its own row: the stage headers are no taller than without it
    heights = h.el.evaluate("(root) => [...root.querySelectorAll('.jw-stage')].map((s) => s.getBoundingClientRect().height)")
    assert max(heights) < 200, heights
    assert h.el.locator('.jw-stage[data-id="b"] .jw-chart').count() == 0
    # the broken one shows its error under stage C, as text
    err = h.el.locator('[data-kind="stage-charts"][data-stage="c"] .jw-chart[data-chart-key="broken"] .jw-chart-error')
    expect(err).to_contain_text("ZeroDivisionError: division by zero")

    # moving c1 into stage B re-runs the function: two event keys there now
    n_calls = len(calls)
    w.journey.move_touchpoint("c1", stage="b")
    h.sync()
    assert len(calls) > n_calls
    expect(stage_b.locator('.jw-chart[data-chart-key="per_event"] g.role-mark.mark-rect path')).to_have_count(2)

    outside = [u for u in requests_log if not u.startswith(harness_server.url)]
    assert outside == [], outside


def test_analytics_overlays_in_the_page(standalone, page, harness_server, jw_bundle, requests_log):
    """Issue 10's overlays in Chromium, light and dark: the trend's last, incomplete period is
    dashed to a hollow point; the funnel counts the current unit and mode; the opportunities
    chart plots value against effort. Screenshots land in tests/artifacts/."""
    from pathlib import Path

    artifacts = Path(__file__).parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    w = jw.JourneyWidget(jw.datasets.clickstream_journey())
    w.bind_events(jw.datasets.clickstream(customers=800, seed=2), customer="customer_id",
                  time="timestamp", touchpoint="event", session="session_id")
    w.unit = "session"
    h = standalone(w)
    chart = h.el.locator(OVERLAY)
    for scheme in ("light", "dark"):  # the charts take the page's theme when they are drawn
        page.emulate_media(color_scheme=scheme)
        page.evaluate(f"() => {{ document.body.style.background = '{'#0f1115' if scheme == 'dark' else '#fff'}'; }}")
        for name in ("trend", "funnel", "opportunities"):
            w.show_overlay("none")
            h.sync()
            w.show_overlay(name)
            h.sync()
            expect(chart.locator("svg").first).to_be_visible()
            if name == "trend":  # dashed tails and hollow points, one each per sparkline
                dashed = chart.locator('g.role-mark.mark-line path[stroke-dasharray]')
                expect(dashed.first).to_be_attached()
                hollow = chart.locator("g.role-mark.mark-symbol path")
                assert hollow.count() >= 1
            if name == "funnel":  # drawn in the stage band; the page says what it counts
                expect(h.el.locator(".jw-definition")).to_contain_text("ordered funnel · sessions")
                rows = w._charts["specs"]["overlay"]["data"]["values"]
                assert {r["definition"] for r in rows} == {w._metrics["definition"]}
                assert w._metrics["definition"].startswith("ordered funnel · sessions")
            if name == "opportunities":
                expect(chart).to_contain_text("value vs effort")
            page.wait_for_timeout(150)
            chart.screenshot(path=str(artifacts / f"overlay-{name}-{scheme}.png"))
    page.emulate_media(color_scheme="light")
    assert not [u for u in requests_log if not u.startswith(harness_server.url)]
