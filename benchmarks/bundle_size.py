"""How big is what journeywidget ships to the browser and saves in a notebook?

1. The two ES modules: the map (src/journeywidget/static/widget.js, anywidget's
   ``_esm``, without Vega) and the chart runtime (static/charts-runtime.js:
   vega, vega-lite and vega-embed, sent in the ``_chart_runtime`` trait only
   once a widget shows a chart): raw and gzip size, against the 1.5 MB budget
   for both together; with ``--breakdown`` (needs node + js/node_modules) the
   bytes per npm package of each from an esbuild metafile.
2. How much a saved notebook grows per displayed widget: the widget's synced
   state (what Jupyter saves in the notebook's widget-state metadata) for a
   template map with N events bound (default 10M), without any chart, then
   with each chart overlay on plus a custom chart function. Only aggregates
   travel, so the data part stays small whatever N is. anywidget also syncs
   the ES module source (``_esm``) and the CSS (``_css``) in every widget
   model, and ``_chart_runtime`` is in the models of widgets that showed a
   chart; both are reported apart and in the per-widget total.
3. The notebook's saved widget state with 1, 3 and 10 maps that show a chart
   (a template map with events bound, the funnel overlay on), saved with
   defaults as JupyterLab does: every model the maps need (each map, its layout,
   and whatever it references, such as the shared front-end runtime), as the
   notebook's ``application/vnd.jupyter.widget-state+json`` metadata holds them;
   and the notebook outputs' static picture (the fallback for places without
   widget state). Goal: three chart widgets under 1.3 MB. This part uses only
   ``JourneyWidget`` and ipywidgets, so an older checkout can be measured too
   (``PYTHONPATH=<checkout>/src python benchmarks/bundle_size.py --saved-only``).

Usage::

    python benchmarks/bundle_size.py                  # 10M events
    python benchmarks/bundle_size.py --events 1e6     # quicker
    python benchmarks/bundle_size.py --breakdown --json
    python benchmarks/bundle_size.py --saved-only      # part 3 only
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "journeywidget" / "static"
JS = ROOT / "js"
BUDGET = 1_500_000  # bytes, minified widget.js + charts-runtime.js
CHART_BUDGET = 64 * 1024  # bytes, the `_charts` trait as JSON


def kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB"


def bundle_sizes() -> dict:
    out = {}
    for name in ("widget.js", "charts-runtime.js", "widget.css", "loader.js", "standalone.js"):
        p = STATIC / name
        if not p.exists():
            raise SystemExit(f"{p} is missing: build it with `npm run build --prefix js`")
        raw = p.read_bytes()
        out[name] = {"raw": len(raw), "gzip": len(gzip.compress(raw, 9))}
    return out


BREAKDOWN_JS = r"""
const esbuild = require(process.argv[2] + "/node_modules/esbuild");
esbuild.build({
  entryPoints: [process.argv[2] + "/src/" + process.argv[4]], bundle: true, format: "esm", minify: true,
  target: ["es2020"], outfile: process.argv[3] + "/w.js", legalComments: "none", metafile: true,
  logLevel: "silent",
}).then((r) => {
  const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint);
  const by = {};
  for (const [file, v] of Object.entries(out.inputs)) {
    const m = file.match(/node_modules\/((@[^/]+\/)?[^/]+)/);
    const key = m ? m[1] : "journeywidget (js/src)";
    by[key] = (by[key] || 0) + v.bytesInOutput;
  }
  console.log(JSON.stringify(by));
});
"""


def breakdown(entry: str = "index.ts") -> dict | None:
    node = shutil.which("node")
    if not node or not (JS / "node_modules" / "esbuild").exists():
        print("  (breakdown skipped: needs node and js/node_modules)")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "breakdown.cjs"
        script.write_text(BREAKDOWN_JS)
        res = subprocess.run([node, str(script), str(JS), tmp, entry], capture_output=True, text=True, timeout=300)
        if res.returncode != 0:
            print("  (breakdown failed)", res.stderr[-500:])
            return None
        by = json.loads(res.stdout)
    return dict(sorted(by.items(), key=lambda kv: -kv[1]))


def state_sizes(n_events: int, template: str) -> dict:
    import altair as alt

    import journeywidget as jw

    j = jw.Journey.from_template(template)
    per_customer = 5.8  # events per customer of the generator, roughly
    t0 = time.perf_counter()
    ev = jw.datasets.events(j, customers=max(int(n_events / per_customer), 10), seed=0, customer_ids="int")
    t_gen = time.perf_counter() - t0
    w = jw.JourneyWidget(j)
    t0 = time.perf_counter()
    w.bind_events(ev, customer="customer_id", time="timestamp", touchpoint="event", segment="plan",
                  channel="channel", value="value")
    t_bind = time.perf_counter() - t0
    frame_mb = ev.memory_usage(deep=False).sum() / 1e6

    def state_json(widget) -> dict:
        from ipywidgets.widgets.widget import _remove_buffers

        state, _paths, buffers = _remove_buffers(widget.get_state())
        heavy = {k: state.pop(k) for k in ("_esm", "_css") if k in state}
        runtime = state.pop("_chart_runtime", "")
        size = len(json.dumps(state, separators=(",", ":"), allow_nan=False).encode())
        # as the saved notebook's JSON holds them (escaped strings)
        esm_css = sum(len(json.dumps(str(v)).encode()) for v in heavy.values())
        rt = len(json.dumps(runtime).encode()) if runtime else 0
        return {
            "state": size,
            "esm_css": esm_css,
            "runtime": rt,
            # everything the notebook's widget-state metadata holds for this widget
            "total": size + esm_css + rt,
            "buffers": sum(len(bytes(b)) for b in buffers),
            "charts": len(json.dumps(widget._charts, separators=(",", ":")).encode()),
            "metrics": len(json.dumps(widget._metrics, separators=(",", ":")).encode()),
            "doc": len(json.dumps(widget._doc, separators=(",", ":")).encode()),
        }

    def by_plan(rows):
        counts = rows.groupby("plan").size().reset_index(name="events")
        return alt.Chart(counts).mark_bar().encode(x="plan:N", y="events:Q")

    no_charts = state_json(w)  # data bound, no overlay, no custom chart: no runtime
    stage = j.to_dict()["stages"][len(j.stages) // 2]["id"]
    t0 = time.perf_counter()
    w.add_chart(by_plan, at=stage, name="events_by_plan")
    t_custom = time.perf_counter() - t0

    rows = {}
    for overlay, metric in [("none", None), ("emotion", None), ("funnel", None), ("metric", "customers"),
                            ("metric", "median_next_s"), ("trend", "customers"), ("trend", "events")]:
        t0 = time.perf_counter()
        w.show_overlay(overlay, metric)
        dt = time.perf_counter() - t0
        s = state_json(w)
        s["seconds"] = round(dt, 3)
        rows[f"{overlay}:{metric or ''}".rstrip(":")] = s
    t0 = time.perf_counter()
    w.journey.move_touchpoint(j.to_dict()["touchpoints"][0]["id"], stage=stage)
    t_move = time.perf_counter() - t0
    w.close()
    return {
        "events": len(ev), "frame_mb": round(frame_mb, 1), "template": template,
        "generate_s": round(t_gen, 2), "bind_s": round(t_bind, 2), "custom_chart_s": round(t_custom, 3),
        "move_touchpoint_s": round(t_move, 3), "no_charts": no_charts, "overlays": rows,
    }


SAVED_GOAL = 1_300_000  # bytes: the saved widget state of three chart widgets


def _closure(widgets: list) -> list:
    """The widgets and every widget their state references (``IPY_MODEL_<id>``), once each."""
    from ipywidgets.widgets.widget import _instances

    seen: dict[str, object] = {}
    todo = list(widgets)
    while todo:
        w = todo.pop()
        if w.model_id in seen:
            continue
        seen[w.model_id] = w
        text = json.dumps(w.get_state(), default=str)
        for ref in set(re.findall(r"IPY_MODEL_([0-9a-f]{32})", text)):
            if ref in _instances:
                todo.append(_instances[ref])
    return list(seen.values())


def _outputs_bytes(w) -> tuple[int, list[str]]:
    """Bytes of the static picture(s) the map's notebook outputs store, and their MIME types."""
    picture = getattr(w, "_picture", None)
    bundles = list(picture.bundles()) if picture is not None else [w._repr_mimebundle_()[0]]
    kinds, size = [], 0
    for b in bundles:
        for mime, value in b.items():
            if mime in ("text/html", "image/svg+xml", "image/png"):
                kinds.append(mime)
                size += len(json.dumps(value).encode())
    return size, kinds


def saved_state(counts: tuple[int, ...] = (1, 3, 10), customers: int = 2_000) -> dict:
    """Saved widget state (bytes, as JSON) with ``n`` chart widgets on the page, for each n."""
    from ipywidgets import Widget

    import journeywidget as jw

    out: dict = {"widgets": {}}
    for n in counts:
        made = []
        for i in range(n):
            j = jw.Journey.from_template("ecommerce-purchase")
            w = jw.JourneyWidget(j)
            w.bind_events(jw.datasets.events(j, customers=customers, seed=i), customer="customer_id",
                          time="timestamp", touchpoint="event", segment="plan")
            w.overlay = "funnel"
            made.append(w)
        models = _closure(made)
        state = Widget.get_manager_state(drop_defaults=False, widgets=models)
        total = len(json.dumps(state, separators=(",", ":")).encode())
        out["widgets"][n] = {"bytes": total, "models": len(models)}
        if n == counts[0]:
            out["picture_bytes"], out["picture_mimes"] = _outputs_bytes(made[0])
        for w in made:
            w.close()
    return out


def print_saved(sv: dict) -> bool:
    print("\nSaved widget state (notebook metadata, with defaults) of maps that show a chart")
    print(f"  {'maps':>5} {'models':>7} {'bytes':>12}")
    for n, r in sv["widgets"].items():
        print(f"  {n:>5} {r['models']:>7} {r['bytes']:>12,}  ({kib(r['bytes'])})")
    three = sv["widgets"].get(3, {}).get("bytes")
    ok = three is None or three < SAVED_GOAL
    if three is not None:
        print(f"  three maps: {three:,} B, goal < {SAVED_GOAL:,} B: {'met' if ok else 'NOT met'}")
    print(f"  static picture in the notebook outputs: {sv['picture_bytes']:,} B ({kib(sv['picture_bytes'])}) "
          f"as {', '.join(sv['picture_mimes'])}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=float, default=10e6, help="events to bind (default 1e7)")
    ap.add_argument("--template", default="ecommerce-purchase")
    ap.add_argument("--breakdown", action="store_true", help="bytes per npm package (esbuild metafile)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    ap.add_argument("--saved-only", action="store_true", help="only the saved widget state (part 3)")
    args = ap.parse_args()
    if not os.environ.get("PYTHONPATH"):  # else: measuring the checkout PYTHONPATH names
        sys.path.insert(0, str(ROOT / "src"))
    if args.saved_only:
        sv = saved_state()
        ok = print_saved(sv)
        if args.json:
            print(json.dumps(sv, indent=2))
        return 0 if ok else 1

    result: dict = {"bundle": bundle_sizes()}
    js = result["bundle"]["widget.js"]
    rt = result["bundle"]["charts-runtime.js"]
    shipped = js["raw"] + rt["raw"]
    print("ES modules (src/journeywidget/static/)")
    print(f"  widget.js          raw {js['raw']:>10,} B ({kib(js['raw'])}), gzip {js['gzip']:>9,} B "
          f"({kib(js['gzip'])})   the map: sent once per kernel in the shared runtime model")
    print(f"  charts-runtime.js  raw {rt['raw']:>10,} B ({kib(rt['raw'])}), gzip {rt['gzip']:>9,} B "
          f"({kib(rt['gzip'])})   vega + vega-lite + vega-embed: _chart_runtime, once a chart shows")
    print(f"  together {shipped:,} B   budget {BUDGET:,} B: {'OK' if shipped < BUDGET else 'OVER'}")
    css = result["bundle"]["widget.css"]
    print(f"  widget.css raw {css['raw']:,} B, gzip {css['gzip']:,} B")
    for name, what in (("loader.js", "anywidget's _esm in every widget model: fetches the shared code"),
                       ("standalone.js", "the standalone HTML page's script (export.to_html)")):
        b = result["bundle"][name]
        print(f"  {name:<17} raw {b['raw']:>10,} B ({kib(b['raw'])}), gzip {b['gzip']:>9,} B "
              f"({kib(b['gzip'])})   {what}")
    if args.breakdown:
        for entry, label in (("index.ts", "widget.js"), ("charts-runtime.ts", "charts-runtime.js")):
            by = breakdown(entry)
            if by:
                result.setdefault("breakdown", {})[label] = by
                total = sum(by.values())
                print(f"  {label} by package (minified bytes in the bundle):")
                for k, v in list(by.items())[:15]:
                    print(f"    {k:<28} {v:>9,}  {100 * v / total:5.1f}%")

    print(f"\nNotebook growth per displayed widget ({args.events:,.0f} events bound)")
    st = state_sizes(int(args.events), args.template)
    result["state"] = st
    print(f"  {st['events']:,} events ({st['frame_mb']} MB frame) in {st['template']}: "
          f"generated {st['generate_s']} s, bound {st['bind_s']} s, custom chart {st['custom_chart_s']} s, "
          f"move_touchpoint + redraw {st['move_touchpoint_s']} s")
    print(f"  {'overlay (+ custom chart)':<26}{'state':>12}{'_charts':>12}{'_metrics':>12}{'_doc':>10}"
          f"{'runtime':>12}{'total':>12}{'switch s':>10}")
    worst = 0
    nc = st["no_charts"]
    print(f"  {'(no chart at all)':<26}{kib(nc['state']):>12}{kib(nc['charts']):>12}{kib(nc['metrics']):>12}"
          f"{kib(nc['doc']):>10}{kib(nc['runtime']):>12}{kib(nc['total']):>12}{'':>10}")
    for name, s in st["overlays"].items():
        worst = max(worst, s["charts"])
        print(f"  {name:<26}{kib(s['state']):>12}{kib(s['charts']):>12}{kib(s['metrics']):>12}"
              f"{kib(s['doc']):>10}{kib(s['runtime']):>12}{kib(s['total']):>12}{s['seconds']:>10}")
    with_charts = max(s["total"] for s in st["overlays"].values())
    print(f"  largest _charts: {kib(worst)} (budget {kib(CHART_BUDGET)}: "
          f"{'OK' if worst < CHART_BUDGET else 'OVER'})")
    print(f"  anywidget's _esm/_css in every saved widget model: {kib(nc['esm_css'])}")
    print(f"  saved-notebook growth per widget: without charts {kib(nc['total'])} "
          f"({nc['total']:,} B), with charts up to {kib(with_charts)} ({with_charts:,} B)")
    result["growth"] = {"without_charts": nc["total"], "with_charts": with_charts}
    result["saved"] = saved_state()
    saved_ok = print_saved(result["saved"])
    if args.json:
        print(json.dumps(result, indent=2))
    return 0 if shipped < BUDGET and worst < CHART_BUDGET and saved_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
