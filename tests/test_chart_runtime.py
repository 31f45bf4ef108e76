"""The chart runtime (vega, vega-lite, vega-embed) is a module of its own, sent lazily.

``static/widget.js`` holds the map only; ``static/charts-runtime.js`` travels in the
kernel's shared runtime widget (its ``charts`` trait, widget/runtime.py) the first
time any map has a chart to show, so a notebook saves Vega once whatever the number
of maps, and not at all when no map shows a chart. Widgets that carry their code
inline (``share_code = False``, marimo) carry it in their ``_chart_runtime`` trait.
"""

from __future__ import annotations

import json
import re

import pytest

import journeywidget as jw
from journeywidget import charts as charts_mod
from journeywidget.export import html as html_mod
from journeywidget.widget import JourneyWidget
from journeywidget.widget.runtime import shared_runtime

STATIC = charts_mod.CHART_RUNTIME_PATH.parent


def _events(j):
    return jw.datasets.events(j, customers=200, seed=0)


def _bind(w):
    return w.bind_events(_events(w.journey), customer="customer_id", time="timestamp",
                         touchpoint="event", segment="plan")


def test_the_two_modules_are_split():
    widget_js = (STATIC / "widget.js").read_text(encoding="utf-8")
    runtime = (STATIC / "charts-runtime.js").read_text(encoding="utf-8")
    # Vega's own code is in the runtime, not in the map's module
    marker = "Unrecognized signal name"  # an error message of vega-view
    assert marker in runtime and marker not in widget_js
    assert len(widget_js) < 300_000 < len(runtime)
    # single self-contained ES modules: no static or dynamic imports of chunks
    for text in (widget_js, runtime):
        assert not re.search(r"""(^|[;}\s])import\s*["'{*]|from\s*["']\./""", text[:2000])
        assert "./chunk-" not in text
    assert re.search(r"export\s*\{[^}]*\bembed\b", runtime)


@pytest.fixture
def fresh_runtime():
    """A new shared runtime (the kernel's one may have sent the chart runtime already)."""
    shared_runtime().close()
    rt = shared_runtime()
    yield rt
    rt.close()


def test_runtime_is_sent_once_with_the_first_chart(fresh_runtime):
    j = jw.Journey.from_template("ecommerce-purchase")
    w = JourneyWidget(j)
    assert w._runtime is fresh_runtime and fresh_runtime.charts == ""
    _bind(w)
    assert fresh_runtime.charts == "", "binding data without showing a chart sends no runtime"
    w.show_overlay("funnel")
    assert fresh_runtime.charts == (STATIC / "charts-runtime.js").read_text(encoding="utf-8")
    assert w._chart_runtime == "", "a widget that shares the runtime carries no copy of its own"
    # a second map on the page uses the same copy
    w2 = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w2)
    w2.add_chart({"mark": "bar", "data": {"values": [{"a": 1}]},
                  "encoding": {"x": {"field": "a", "type": "quantitative"}}}, name="c")
    assert w2._runtime is fresh_runtime and w2._chart_runtime == ""
    w.close()
    w2.close()


def test_inline_widget_carries_its_own_runtime(monkeypatch):
    monkeypatch.setattr(JourneyWidget, "share_code", False)
    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    assert w._runtime is None and w._esm == (STATIC / "widget.js").read_text(encoding="utf-8")
    assert w._css == (STATIC / "widget.css").read_text(encoding="utf-8")
    assert w._chart_runtime == ""
    _bind(w)
    assert w._chart_runtime == ""
    w.show_overlay("funnel")
    assert w._chart_runtime == (STATIC / "charts-runtime.js").read_text(encoding="utf-8")
    w.show_overlay("none")
    assert w._chart_runtime  # it stays once sent (the page keeps the module anyway)
    w.close()


def test_saved_state_without_charts_has_no_vega(fresh_runtime):
    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w)
    state = w.get_state()
    saved = json.dumps({k: v for k, v in state.items() if isinstance(v, (str, dict, list, int, bool))})
    assert len(saved) < 400_000
    assert len(json.dumps(fresh_runtime.get_state())) < 300_000
    w.show_overlay("emotion")
    assert len(json.dumps(fresh_runtime.get_state()["charts"])) > 500_000
    assert len(json.dumps(w.get_state())) < 400_000
    w.close()


def test_html_page_carries_the_runtime_only_with_charts():
    j = jw.Journey.from_template("ecommerce-purchase")
    plain = JourneyWidget(j)
    page = jw.export.to_html(plain)
    data = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))
    assert "_chart_runtime" not in data["state"]
    plain.close()

    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w)  # overlay "none": no chart shown, but the page's overlay variants have charts
    assert w._chart_runtime == ""
    page = jw.export.to_html(w)
    data = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))
    assert data["overlays"] and data["state"]["_chart_runtime"] == charts_mod.chart_runtime_source()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "blob:" in csp.split("script-src", 1)[1].split(";", 1)[0]
    w.close()


def test_html_page_without_a_built_runtime_still_works(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "widget.js").write_text("export default { render() {} };", encoding="utf-8")
    (static / "widget.css").write_text("", encoding="utf-8")
    monkeypatch.setattr(html_mod, "STATIC_DIR", static)
    w = JourneyWidget(jw.Journey.from_template("ecommerce-purchase"))
    _bind(w)
    w.show_overlay("funnel")
    page = jw.export.to_html(w)
    data = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))
    assert "_chart_runtime" not in data["state"]
    w.close()


@pytest.mark.parametrize("payload,expected", [
    ({"overlay": "none", "specs": {}}, False),
    ({"overlay": "funnel", "specs": {"overlay": {}}}, True),
    ({}, False),
    (None, False),
])
def test_payload_has_charts(payload, expected):
    assert charts_mod.payload_has_charts(payload) is expected
