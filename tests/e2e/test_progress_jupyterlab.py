"""A long bind in a real JupyterLab kernel (issue 13): while it reads, the widget's toolbar
and a bar under the running cell show its progress (the kernel sends trait updates while
it works); the kernel's interrupt stops it and the widget keeps the previous binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.jupyter
pytest.importorskip("pyarrow")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"

SETUP = """\
import time
import journeywidget as jw
from journeywidget.data import progress, sources
j = jw.Journey.from_template("ecommerce-purchase")
events = jw.datasets.events(j, customers=4000, seed=3)
for c in ("event", "channel", "plan"):
    events[c] = events[c].astype(str)
events.to_parquet("events.parquet", row_group_size=1000)
ARGS = dict(customer="customer_id", time="timestamp", touchpoint="event", segment="plan")
w = jw.JourneyWidget(j)
w.bind_events(events.iloc[:3000], **ARGS)
w"""

SLOW_BIND = """\
sources.BATCH_ROWS = 1000          # many small batches, each made slow: a bind of ~10 s
rows = progress.Reporter.rows
progress.Reporter.rows = lambda self, n: (time.sleep(0.4), rows(self, n))[1]
m = w.bind_events("events.parquet", progress=True, **ARGS)"""


def test_progress_in_lab_and_the_kernel_interrupt(page, lab_notebook):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nb = lab_notebook([SETUP, SLOW_BIND])
    widget = nb.run_cell(0, timeout=120_000)
    expect(widget.locator(".jw-tp")).to_have_count(18, timeout=30_000)
    chip = widget.locator(".jw-toolbar .jw-progress")
    expect(chip).to_be_hidden()
    before = widget.locator(".jw-stage .jw-funnel").all_inner_texts()

    nb.select_cell(1)
    page.keyboard.press("Shift+Enter")  # runs while we watch
    expect(chip).to_be_visible(timeout=30_000)
    expect(chip).to_contain_text("rows")
    bar = nb.output(1).locator(".widget-hprogress, .jupyter-widgets.widget-progress").first
    expect(bar).to_be_visible(timeout=30_000)
    expect(nb.output(1)).to_contain_text("Reading rows")
    ARTIFACTS.mkdir(exist_ok=True)
    nb.panel.screenshot(path=str(ARTIFACTS / "lab-progress.png"))
    widget.locator(".jw-toolbar").screenshot(path=str(ARTIFACTS / "lab-progress-toolbar.png"))

    # the kernel's interrupt (I, I in command mode) stops the bind
    nb.select_cell(1)
    page.keyboard.press("i")
    page.keyboard.press("i")
    nb._wait_done(1, None, 60_000)
    expect(nb.output(1)).to_contain_text("KeyboardInterrupt")
    expect(chip).to_be_hidden()
    expect(bar).to_be_hidden()
    assert widget.locator(".jw-stage .jw-funnel").all_inner_texts() == before
    out = nb.run_code("progress.Reporter.rows = rows\n"
                      "print(w.metrics.binding_id, w._progress, len(w.charts.events))")
    expect(out).to_contain_text("1 {} 3000")
