"""Charts on the map inside a real JupyterLab 4: overlay drawn offline, click selects in the kernel."""

from __future__ import annotations

import json

from playwright.sync_api import expect

SETUP = '''
import pandas as pd
import journeywidget as jw

j = jw.Journey("Tiny")
for s in ("A", "B", "C"):
    j.add_stage(s)
j.add_touchpoint("a1", stage="a", emotion=1, event_keys=["k_a1"])
j.add_touchpoint("a2", stage="a", emotion=-1, event_keys=["k_a2"])
j.add_touchpoint("b1", stage="b", emotion=0, event_keys=["k_b1"])
j.add_touchpoint("c1", stage="c", event_keys=["k_c1"])
ev = [("u1", "k_a1", 0), ("u1", "k_b1", 1), ("u1", "k_c1", 8), ("u2", "k_a1", 0), ("u2", "k_a2", 2),
      ("u2", "k_b1", 3), ("u3", "k_a2", 1), ("u4", "k_a1", 7), ("u4", "k_b1", 9), ("u4", "k_c1", 10)]
df = pd.DataFrame({"user": [e[0] for e in ev], "event": [e[1] for e in ev],
                   "ts": [pd.Timestamp("2024-01-01") + pd.Timedelta(days=e[2]) for e in ev]})
w = jw.JourneyWidget(j)
w.bind_events(df, customer="user", time="ts", touchpoint="event")
w.show_overlay("metric", "customers")
w
'''

BARS = '.jw-chart[data-chart-key="overlay"] g.role-mark.mark-rect path'


def test_overlay_in_jupyterlab(lab_notebook, page, jupyterlab):
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    nb = lab_notebook([SETUP])
    out = nb.run_cell(0)
    bars = out.locator(BARS)
    expect(bars).to_have_count(4, timeout=30_000)
    # a new binding redraws the same view with new data
    out.locator('.jw-chart[data-chart-key="overlay"] svg').first.evaluate("(s) => { s.__jwTag = 1; }")
    nb.run_code('w.bind_events(df[df.event != "k_c1"], customer="user", time="ts", touchpoint="event")')
    page.wait_for_function(
        """(sel) => { const ps = document.querySelectorAll(sel);
                      return ps.length === 4 && Math.round(ps[3].getBBox().height) === 0; }""",
        arg=BARS,
    )
    assert out.locator('.jw-chart[data-chart-key="overlay"] svg').first.evaluate("(s) => s.__jwTag") == 1
    # clicking the bar of b1 selects it in the kernel
    bars.nth(2).click()
    check = nb.run_code("import json; print(json.dumps({'selected': w.selected}))")
    expect(check).to_contain_text('"selected": "b1"')
    assert json.loads(check.inner_text().strip()) == {"selected": "b1"}
    # anywidget imports the widget module from a blob: URL of its source: local, not the network
    local = (jupyterlab.url, f"blob:{jupyterlab.url}", "data:")
    outside = [u for u in requests if not u.startswith(local)]
    assert outside == [], outside
