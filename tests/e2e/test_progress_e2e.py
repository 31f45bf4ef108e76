"""A long bind shows its progress in the widget's toolbar (issue 13): the real widget in
headless Chromium, bridged to the real Python widget (standalone harness).

- while ``w.bind_events(path)`` reads a Parquet file, the page shows the rows read
  and the phase (the bridge is pumped from the progress callback, as the kernel's
  comm would send it), and the bar goes away when the bind is done;
- an interrupted bind leaves the page on the previous binding's figures, bar gone;
- screenshots (light and dark; a template map and a 30-stage x 600-touchpoint map,
  with data bound and a bind at work) land in tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.widget import JourneyWidget

pytest.importorskip("pyarrow")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
READING = {"phase": "reading", "rows": 12_400_000, "total": 30_000_000, "fraction": 12.4 / 30,
           "text": "Reading rows: 12.4M of 30.0M (41 %)"}


def shoot(page, h, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.wait_for_timeout(250)
    h.el.screenshot(path=str(path))
    return path


def toolbar_fits(h) -> bool:
    """The chip sits inside the toolbar, and no toolbar control is pushed out of view."""
    return h.el.evaluate("""(root) => {
        const bar = root.querySelector('.jw-toolbar').getBoundingClientRect();
        return [...root.querySelectorAll('.jw-toolbar > *')].filter(n => n.offsetParent)
            .every(n => { const r = n.getBoundingClientRect();
                          return r.left >= bar.left - 1 && r.right <= bar.right + 1; });
    }""")


def test_the_page_shows_a_bind_at_work_and_survives_an_interrupt(page, standalone, tmp_path):
    page.set_viewport_size({"width": 1500, "height": 900})
    j = jw.Journey.from_template("ecommerce-purchase")
    events = jw.datasets.events(j, customers=3000, seed=4)
    for c in ("event", "channel", "plan"):
        events[c] = events[c].astype(str)
    path = tmp_path / "events.parquet"
    events.to_parquet(path, row_group_size=2000)
    w = JourneyWidget(j)
    w.bind_events(events.iloc[:5000], **ARGS)
    h = standalone(w)
    chip = h.el.locator(".jw-toolbar .jw-progress")
    expect(chip).to_be_hidden()
    before = h.el.locator(".jw-stage .jw-funnel").all_inner_texts()

    seen: dict[str, str] = {}

    def watch(p):
        if p.phase not in seen and p.phase != "done":
            h.sync()  # what the kernel's comm does on its own: the page gets the trait now
            expect(chip).to_be_visible()
            seen[p.phase] = chip.text_content().replace("\u00a0", " ")

    w.bind_events(path, progress=watch, **ARGS)
    assert seen["reading"].endswith(" rows") and "% · " in seen["reading"]
    assert seen["sorting"] == "Sorting…"
    h.sync()
    expect(chip).to_be_hidden()
    after = h.el.locator(".jw-stage .jw-funnel").all_inner_texts()
    assert after != before

    def interrupt(p):
        if p.phase == "indexing":
            h.sync()
            expect(chip).to_have_text("Indexing…")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        w.bind_events(events.iloc[:5000], progress=interrupt, **ARGS)
    h.sync()
    expect(chip).to_be_hidden()
    assert h.el.locator(".jw-stage .jw-funnel").all_inner_texts() == after


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_progress_screenshots(page, standalone, scheme):
    page.set_viewport_size({"width": 1500, "height": 900})
    page.emulate_media(color_scheme=scheme)
    if scheme == "dark":
        page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    j = jw.Journey.from_template("ecommerce-purchase")
    w = JourneyWidget(j)
    w.bind_events(jw.datasets.events(j, customers=2000, seed=1), **ARGS)
    h = standalone(w)
    w._progress = READING
    h.sync()
    chip = h.el.locator(".jw-toolbar .jw-progress")
    assert chip.text_content() == "41%\u00a0· 12M rows"
    assert chip.get_attribute("title") == READING["text"]
    assert chip.get_attribute("aria-valuenow") == "41"
    assert toolbar_fits(h)
    shoot(page, h, f"widget-progress-{scheme}.png")
    w._progress = {"phase": "sorting", "rows": 30_000_000, "total": 30_000_000, "fraction": 1.0,
                   "text": "Sorting events (30.0M rows read)"}
    h.sync()
    expect(chip).to_have_text("Sorting…")
    assert chip.get_attribute("title") == "Sorting events (30.0M rows read)"


def big_map() -> jw.Journey:
    ops = []
    for s in range(30):
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s}"}})
        for t in range(20):
            ops.append({"op": "add", "kind": "touchpoint", "item": {
                "id": f"t{s}-{t}", "name": f"Touchpoint {s}.{t}", "stage": f"s{s}",
                "channel": "web", "event_keys": [f"k{s}_{t}"]}})
    j = jw.Journey("Big map")
    j.batch(ops, label="build")
    return j


def test_progress_on_a_big_map_screenshot(page, standalone):
    import numpy as np
    import pandas as pd

    page.set_viewport_size({"width": 1500, "height": 900})
    j = big_map()
    rng = np.random.default_rng(0)
    n = 20_000
    df = pd.DataFrame({"customer_id": rng.integers(0, 2000, n),
                       "timestamp": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 10**7, n), "s"),
                       "event": [f"k{s}_{t}" for s, t in zip(rng.integers(0, 30, n), rng.integers(0, 20, n))],
                       "plan": rng.choice(["free", "pro"], n)})
    w = JourneyWidget(j)
    w.bind_events(df, **ARGS)
    h = standalone(w)
    expect(h.el.locator(".jw-tp")).to_have_count(600)
    w._progress = READING
    h.sync()
    expect(h.el.locator(".jw-toolbar .jw-progress")).to_be_visible()
    assert toolbar_fits(h)
    shoot(page, h, "widget-progress-big-map.png")
