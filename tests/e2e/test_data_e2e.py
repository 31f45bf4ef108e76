"""Data on the map, end to end (issue 4): the real widget in headless Chromium,
bridged to the real Python widget (standalone harness).

- after ``bind_events`` the badges and funnel figures on the page equal the
  Python metrics; they follow a move made from Python;
- the page's segment select switches ``w.segment`` and ``w.metrics.segment``
  in Python, and the numbers on the page;
- compare mode shows A and B side by side, equal to Python's figures;
- the Insights panel lists the problems; "Add to map" adds a touchpoint with the
  event key in Python and the problem leaves the panel;
- screenshots with insights open and compare mode on (light and dark) land in
  tests/artifacts/;
- the page makes no request outside itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.core.ids import readable_name
from journeywidget.widget import JourneyWidget

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event")

READ_FIGURES = """(root) => {
  const num = (el) => (el && !el.hidden && el.offsetParent !== null ? Number(el.getAttribute('data-value')) : null);
  const out = { stages: {}, tps: {} };
  for (const el of root.querySelectorAll('.jw-stage[data-id]'))
    out.stages[el.getAttribute('data-id')] = num(el.querySelector('.jw-funnel .jw-fig-customers'));
  for (const el of root.querySelectorAll('.jw-tp[data-id]'))
    out.tps[el.getAttribute('data-id')] = num(el.querySelector('.jw-tp-stats .jw-fig-customers'));
  return out;
}"""

READ_AB = """(root) => {
  const pair = (el) => (el && !el.hidden ? [Number(el.getAttribute('data-a')), Number(el.getAttribute('data-b'))] : null);
  const out = { stages: {}, tps: {}, texts: [] };
  for (const el of root.querySelectorAll('.jw-stage[data-id]')) {
    const ab = el.querySelector('.jw-ab');
    out.stages[el.getAttribute('data-id')] = pair(ab);
    if (ab) out.texts.push(ab.textContent);
  }
  for (const el of root.querySelectorAll('.jw-tp[data-id]'))
    out.tps[el.getAttribute('data-id')] = pair(el.querySelector('.jw-ab'));
  return out;
}"""


def python_figures(w, segment=...):
    m = w.metrics
    kw = {} if segment is ... else {"segment": segment}
    return {
        # what the page counts: units reached (a no-data stage shows "no data", not 0)
        "stages": {r["stage"]: None if r.get("no_data") else r.get("reached", r["customers"])
                   for r in m.stage_records(**kw)},
        "tps": {r["touchpoint"]: r.get("units", r["customers"]) for r in m.touchpoint_records(**kw)},
    }


def page_figures(h):
    return h.el.evaluate(READ_FIGURES)


def wait_for_figures(h, w, segment=..., timeout=5.0):
    """Pump the bridge until the page shows Python's current figures."""
    want = python_figures(w, segment)
    last = {}

    def same():
        last["page"] = page_figures(h)
        return last["page"] == want

    try:
        h.wait_until(same, timeout=timeout)
    except AssertionError:
        assert last.get("page") == want  # show the difference
    return want


def shoot(page, h, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.wait_for_timeout(200)
    h.el.screenshot(path=str(path))
    return path


@pytest.fixture
def journey():
    return jw.Journey.from_template("ecommerce-purchase")


@pytest.fixture
def events(journey):
    # under 10,000 customers: the page prints exact counts ("1,234", not "12k")
    return jw.datasets.events(journey, customers=2500, seed=11)


def test_figures_segments_compare_and_add_to_map(page, standalone, harness_server, journey, events,
                                                   requests_log):
    page.set_viewport_size({"width": 1500, "height": 950})
    w = JourneyWidget(journey)
    w.bind_events(events, **ARGS, segment="plan")
    h = standalone(w)

    # 1. the page shows Python's numbers
    expect(h.el.locator(".jw-tp")).to_have_count(len(journey.touchpoints))
    before = wait_for_figures(h, w)
    assert all(v is not None and v > 0 for v in before["stages"].values()), before

    # 2. a move from Python: the figures change, and equal the recomputed metrics
    moved = journey.touchpoints_in("cart")[0].id
    journey.move_touchpoint(moved, stage="browse")
    after = wait_for_figures(h, w)
    assert after["stages"] != before["stages"]
    assert after["tps"] == before["tps"]  # a touchpoint's own reach does not depend on its stage

    # 3. the segment select switches Python's segment and the page's numbers
    tools = h.el.locator(".jw-data-tools")
    expect(tools).to_be_visible()
    h.el.locator(".jw-segment-select").select_option("pro")
    h.wait_until(lambda: w.segment == "pro")
    assert w.metrics.segment == "pro"
    pro = wait_for_figures(h, w)
    assert pro == python_figures(w, "pro")
    assert pro["stages"] != after["stages"]

    # 4. compare mode: A (pro) and B (free) side by side, equal to Python's figures
    h.el.locator(".jw-compare-select").select_option("free")
    h.wait_until(lambda: w.compare == "free")
    free = python_figures(w, "free")

    def ab_matches():
        ab = h.el.evaluate(READ_AB)
        return ab if (ab["stages"] == {k: [pro["stages"][k], free["stages"][k]] for k in pro["stages"]}
                      and ab["tps"] == {k: [pro["tps"][k], free["tps"][k]] for k in pro["tps"]}) else None

    ab = h.wait_until(ab_matches, timeout=5)
    assert all(t.startswith("A: ") and " | B: " in t for t in ab["texts"]), ab["texts"]
    expect(h.el.locator(".jw-root")).to_have_class(__import__("re").compile(r"jw-comparing"))
    # the plain customer badges give way to the A/B figures
    assert all(v is None for v in page_figures(h)["tps"].values())

    # 5. insights: open the panel; clicking one with a target selects it
    h.el.locator(".jw-insights-btn").click()
    panel = h.el.locator(".jw-insights")
    expect(panel).to_be_visible()
    n_insights = len(w._metrics["insights"])
    expect(h.el.locator(".jw-insights-btn .jw-count")).to_have_text(str(n_insights))
    expect(panel.locator(".jw-insight")).to_have_count(n_insights)
    linked = panel.locator(".jw-insight[data-target]").first
    target = linked.get_attribute("data-target")
    linked.click()
    h.wait_until(lambda: w.selected == target)

    shoot(page, h, "data-insights-compare-light.png")
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    bg = h.el.locator(".jw-root").evaluate("(n) => getComputedStyle(n).backgroundColor")
    assert bg != "rgb(255, 255, 255)"
    shoot(page, h, "data-insights-compare-dark.png")
    page.emulate_media(color_scheme="light")
    page.evaluate("() => { document.body.style.background = '#fff'; }")

    # 6. "Add to map" for an unmapped key: a touchpoint with that key in Python,
    #    and the problem leaves the panel
    problem = next(i for i in w._metrics["insights"] if i["kind"] == "unmapped_key")
    key = problem["details"]["key"]
    row = panel.locator(f'.jw-insight[data-key="{key}"]')
    expect(row).to_have_count(1)
    n_tps = len(journey.touchpoints)
    row.locator(".jw-add-to-map").click()
    h.wait_until(lambda: any(t.event_keys == [key] for t in journey.touchpoints))
    added = next(t for t in journey.touchpoints if t.event_keys == [key])
    assert len(journey.touchpoints) == n_tps + 1
    assert added.name == readable_name(key)
    assert added.stage == problem["details"]["suggested_stage"]
    expect(row).to_have_count(0)
    assert key not in {i["details"].get("key") for i in w._metrics["insights"]}
    expect(h.el.locator(f'.jw-tp[data-id="{added.id}"]')).to_be_visible()
    expect(h.el.locator(".jw-insights-btn .jw-count")).to_have_text(str(len(w._metrics["insights"])))
    # its figures are on the map too (compare mode still on)
    a_b = [next(r["customers"] for r in w.metrics.touchpoint_records(seg) if r["touchpoint"] == added.id)
           for seg in ("pro", "free")]
    assert a_b[0] > 0 and a_b[1] > 0
    tp_ab = h.el.locator(f'.jw-tp[data-id="{added.id}"] .jw-ab')
    expect(tp_ab).to_have_attribute("data-a", str(a_b[0]))
    expect(tp_ab).to_have_attribute("data-b", str(a_b[1]))
    # undo from Python takes it back; the problem returns
    w.undo()
    expect(panel.locator(f'.jw-insight[data-key="{key}"]')).to_have_count(1)

    # 7. compare off and back to everyone from Python: the page follows
    w.compare = ""
    w.segment = ""
    h.sync()
    assert h.el.locator(".jw-segment-select").input_value() == ""
    wait_for_figures(h, w)
    assert h.el.locator(".jw-stage .jw-ab").count() == 0

    outside = [u for u in requests_log if not u.startswith(harness_server.url)]
    assert outside == [], outside


def test_read_only_map_lists_insights_without_add_buttons(page, standalone, journey, events):
    w = JourneyWidget(journey, editable=False)
    w.bind_events(events, **ARGS, segment="plan")
    h = standalone(w)
    h.el.locator(".jw-insights-btn").click()
    expect(h.el.locator(".jw-insights .jw-insight")).to_have_count(len(w._metrics["insights"]))
    expect(h.el.locator(".jw-add-to-map")).to_have_count(0)
    # the segment switch is a view, not an edit: it works read-only too
    h.el.locator(".jw-segment-select").select_option("enterprise")
    h.wait_until(lambda: w.metrics.segment == "enterprise")
    wait_for_figures(h, w)


def test_no_data_tools_before_binding(page, standalone, journey, events):
    w = JourneyWidget(journey)
    h = standalone(w)
    expect(h.el.locator(".jw-tp")).to_have_count(len(journey.touchpoints))
    expect(h.el.locator(".jw-insights-btn")).to_be_hidden()
    expect(h.el.locator(".jw-data-tools")).to_be_hidden()
    w.bind_events(events, **ARGS)  # no segment column: insights yes, segment switch no
    h.sync()
    expect(h.el.locator(".jw-insights-btn")).to_be_visible()
    expect(h.el.locator(".jw-data-tools")).to_be_hidden()
    wait_for_figures(h, w)


READ_STAGE_TEXT = """(root) => {
  const out = {};
  for (const el of root.querySelectorAll('.jw-stage[data-id]')) {
    const f = el.querySelector('.jw-funnel');
    out[el.getAttribute('data-id')] = f && !f.hidden
      ? Array.from(f.querySelectorAll('.jw-stat')).map((s) => s.textContent).join(' | ') : '';
  }
  return out;
}"""


def conversions_on_page(h) -> dict[str, float]:
    """Each stage's "NN % from previous" figure as the page shows it (a fraction)."""
    import re

    out = {}
    for sid, text in h.el.evaluate(READ_STAGE_TEXT).items():
        hit = re.search(r"(?:^|\| )([\d.,]+)\s*%\s*from previous", text)
        if hit:
            out[sid] = float(hit.group(1).replace(",", "")) / 100
    return out


def test_moves_never_show_more_than_100_percent_and_an_empty_stage_is_no_data(
        page, standalone, harness_server, journey, events, requests_log):
    """Issue 10: the ordered funnel (the default) after touchpoint moves never shows a
    conversion above 100 %; a new stage without data shows no conversion and no drop-off on
    the map, and is a "no data" problem, never a drop-off, in the insights."""
    page.set_viewport_size({"width": 1500, "height": 950})
    w = JourneyWidget(journey)
    w.bind_events(events, **ARGS)
    h = standalone(w)
    expect(h.el.locator(".jw-tp")).to_have_count(len(journey.touchpoints))
    wait_for_figures(h, w)
    stages = [s.id for s in journey.stages]
    # moves that make customers skip stages: the reached funnel would exceed 100 % here
    for tp, to in ((journey.touchpoints_in(stages[1])[0].id, stages[4]),
                   (journey.touchpoints_in(stages[2])[0].id, stages[0]),
                   (journey.touchpoints_in(stages[3])[0].id, stages[1])):
        journey.move_touchpoint(tp, stage=to)
        wait_for_figures(h, w)
        conv = conversions_on_page(h)
        assert conv and all(c <= 1.0 for c in conv.values()), conv
    reached = jw.JourneyMetrics(journey.to_dict()).bind_events(events, **ARGS)
    reached.funnel = "reached"
    assert (reached.stages["conversion"].dropna() > 1).any()  # what "reached" would have shown
    # an empty stage in the middle: no data, and the funnel runs past it
    empty = journey.add_stage("Loyalty programme", index=2)
    wait_for_figures(h, w)
    text = h.el.evaluate(READ_STAGE_TEXT)[empty]
    assert "from previous" not in text and "lost" not in text and "no data" in text, text
    expect(h.el.locator(f'.jw-stage[data-id="{empty}"]')).to_have_class(re.compile("jw-stage-nodata"))
    assert w._metrics["stages"][empty]["no_data"] is True
    assert all(c <= 1.0 for c in conversions_on_page(h).values())
    h.el.locator(".jw-insights-btn").click()
    panel = h.el.locator(".jw-insights")
    expect(panel).to_be_visible()
    rows = panel.locator(f'.jw-insight[data-target="{empty}"]')
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("no data")
    assert not any(i["kind"] == "dropoff" and (i["target"] == empty or i["details"].get("from_stage") == empty)
                   for i in w._metrics["insights"])
    shoot(page, h, "data-empty-stage-light.png")
    assert not [u for u in requests_log if not u.startswith(harness_server.url)]
