"""Benchmark: rendering the journey map widget in headless Chromium.

    python benchmarks/render.py                     # 20 x 500 and 30 x 600 maps
    python benchmarks/render.py --maps 40x1000 --runs 7

Loads the built front end (src/journeywidget/static/widget.js + widget.css,
`npm run build --prefix js` first) into a blank page served from 127.0.0.1,
with an in-page stand-in for the anywidget model (no kernel: this measures the
front end only), and times:

* first render: ``render({model, el})`` plus the style and layout it forces
  (goal < 300 ms), and the time to the next painted frame;
* one edit's re-render: the document comes back from Python with one change
  (rename, emotion, a touchpoint moved to another stage, a metrics update),
  ``model.set("_doc", ...)`` and the forced layout (goal < 16 ms, one frame);
* the zoom: a first render at ``zoom="fit"``, and switching a rendered map from
  100 % to fit (compact chips); the map's width at 100 % and at fit, and the
  smallest stage name as drawn at fit (legible: at least 9 px).

Each figure is the median over ``--runs`` fresh renders (edits: over all
edits of that kind). Chromium: Debian's ``chromium`` (``JW_CHROMIUM`` overrides).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "src" / "journeywidget" / "static"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))  # the tests' own chromium launch flags and lookup
from harness.browser import CHROMIUM_ARGS as FLAGS  # noqa: E402
from harness.browser import find_chromium  # noqa: E402

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="/widget.css">
<style>body { margin: 0; padding: 12px; background: #fff; }</style></head>
<body><main id="host"></main>
<script type="module">
import widget from "/widget.js";
class Model {
  constructor(state) { this.state = state; this.h = new Map(); }
  get(k) { return this.state[k]; }
  set(k, v) { this.state[k] = v; for (const cb of this.h.get("change:" + k) || []) cb(); }
  save_changes() {}
  send() {}
  on(e, cb) { if (!this.h.has(e)) this.h.set(e, new Set()); this.h.get(e).add(cb); }
  off(e, cb) { if (!e) this.h.clear(); else if (!cb) this.h.delete(e); else this.h.get(e)?.delete(cb); }
}
const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
window.bench = {
  async first(doc, metrics, zoom) {
    const host = document.getElementById("host");
    host.textContent = "";
    const el = document.createElement("div");
    host.appendChild(el);
    const model = new Model({ _doc: doc, _metrics: metrics, editable: true, selected: "", _error: "",
                              _can_undo: true, _can_redo: false, _rev: 1, _charts: {}, zoom: zoom ?? 1 });
    await frame();
    const t0 = performance.now();
    const cleanup = widget.render({ model, el });
    const tRender = performance.now();
    el.getBoundingClientRect();
    void document.body.offsetHeight;          // style + layout
    const tLayout = performance.now();
    await frame();
    const tPaint = performance.now();
    window.current = { model, el, cleanup };
    return { render: tRender - t0, total: tLayout - t0, paint: tPaint - t0,
             nodes: el.getElementsByTagName("*").length, ...window.bench.measure() };
  },
  measure() {
    const { el } = window.current || {};
    const root = el || document;
    const grid = root.querySelector(".jw-grid");
    const zoom = parseFloat(grid.style.zoom || "1") || 1;
    const names = [...root.querySelectorAll(".jw-stage-name")].map((n) => parseFloat(getComputedStyle(n).fontSize) * zoom);
    return { width: grid.scrollWidth * zoom, shown: grid.getBoundingClientRect().width,
             name_px: names.length ? Math.min(...names) : 0 };
  },
  async zoom(value) {
    const { model, el } = window.current;
    await frame();
    const t0 = performance.now();
    model.set("zoom", value);
    el.getBoundingClientRect();
    void document.body.offsetHeight;
    const t1 = performance.now();
    return { total: t1 - t0, ...window.bench.measure() };
  },
  async edit(doc, metrics) {
    const { model, el } = window.current;
    await frame();
    const t0 = performance.now();
    if (metrics) model.set("_metrics", metrics);
    else model.set("_doc", doc);
    const tRender = performance.now();
    el.getBoundingClientRect();
    void document.body.offsetHeight;
    const tLayout = performance.now();
    return { render: tRender - t0, total: tLayout - t0 };
  },
};
window.ready = true;
</script></body></html>
"""


def make_doc(n_stages: int, n_touchpoints: int) -> dict:
    import journeywidget as jw

    j = jw.Journey(
        f"Benchmark: {n_stages} stages, {n_touchpoints} touchpoints", journey_type="purchase"
    )
    j.batch([{"op": "add", "kind": "lane", "item": {"kind": k}} for k in ("backstage", "metrics")])
    ops: list[dict] = []
    for s in range(n_stages):
        ops.append(
            {
                "op": "add",
                "kind": "stage",
                "item": {
                    "id": f"s{s}",
                    "name": f"Stage {s + 1}",
                    "customer_goal": "Get the job done",
                },
            }
        )
    channels = ["web", "email", "mobile_app", "phone", "chat", "store", None]
    for i in range(n_touchpoints):
        ops.append(
            {
                "op": "add",
                "kind": "touchpoint",
                "item": {
                    "id": f"t{i}",
                    "name": f"Touchpoint {i + 1} with a name long enough to wrap",
                    "stage": f"s{i * n_stages // n_touchpoints}",
                    "channel": channels[i % len(channels)],
                    "emotion": (i * 7 % 5) - 2,
                    "moment_of_truth": i % 37 == 0,
                    "metric": "conversion" if i % 11 == 0 else "",
                },
            }
        )
    lanes = {lane["kind"]: lane["id"] for lane in j.to_dict()["lanes"]}
    for s in range(n_stages):
        for kind in ("actions", "thoughts", "pain_points", "opportunities", "backstage"):
            ops.append(
                {
                    "op": "add",
                    "kind": "card",
                    "item": {
                        "lane": lanes[kind],
                        "stage": f"s{s}",
                        "text": f"{kind} for stage {s + 1}",
                    },
                }
            )
    for i in range(0, n_touchpoints, 25):
        ops.append(
            {
                "op": "add",
                "kind": "comment",
                "item": {"target": f"t{i}", "text": "Check this", "author": "bench"},
            }
        )
    j.batch(ops)
    return j.to_dict()


def make_metrics(doc: dict, scale: float = 1.0) -> dict:
    tps = doc["touchpoints"]
    n = len(tps)
    return {
        "touchpoints": {
            t["id"]: {
                "customers": int(10000 * scale * (1 - i / (n + 1))),
                "share": 1 - i / (n + 1),
                "median_next_s": 60.0 + i,
            }
            for i, t in enumerate(tps)
        },
        "stages": {
            s["id"]: {
                "customers": int(10000 * scale / (k + 1)),
                "conversion": 1 / (k + 1),
                "dropoff": 100 * k,
                "dropoff_rate": 0.1,
            }
            for k, s in enumerate(doc["stages"])
        },
        "feedback": {t["id"]: {"score": 3.5, "n": 40, "emotion": 0.5} for t in tps[::10]},
    }


def serve() -> tuple[ThreadingHTTPServer, str]:
    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path in ("/", "/index.html"):
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(STATIC)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def bench_map(page, n_stages: int, n_touchpoints: int, runs: int, n_edits: int, width: int) -> None:
    doc = make_doc(n_stages, n_touchpoints)
    metrics = make_metrics(doc)
    size_kb = len(json.dumps(doc)) / 1024
    # warm-up: the module's code is compiled on first use
    page.evaluate("([d, m]) => bench.first(d, m)", [doc, metrics])
    firsts = [page.evaluate("([d, m]) => bench.first(d, m)", [doc, metrics]) for _ in range(runs)]

    edits: dict[str, list[dict]] = {
        "rename": [],
        "emotion": [],
        "move to another stage": [],
        "metrics update": [],
    }
    current = json.loads(json.dumps(doc))
    tps = current["touchpoints"]
    step = max(1, len(tps) // (n_edits + 1))
    for k in range(n_edits):
        i = (k + 1) * step % len(tps)
        # rename
        current["touchpoints"][i]["name"] = f"Renamed {k}"
        edits["rename"].append(page.evaluate("([d]) => bench.edit(d, null)", [current]))
        # emotion
        current["touchpoints"][i]["emotion"] = 2 if current["touchpoints"][i]["emotion"] != 2 else -2
        edits["emotion"].append(page.evaluate("([d]) => bench.edit(d, null)", [current]))
        # move to the next stage (first place there), as the model orders it
        tp = current["touchpoints"].pop(i)
        nxt = f"s{(int(tp['stage'][1:]) + 1) % n_stages}"
        tp["stage"] = nxt
        pos = next((p for p, t in enumerate(current["touchpoints"]) if t["stage"] == nxt), len(current["touchpoints"]))
        current["touchpoints"].insert(pos, tp)
        edits["move to another stage"].append(page.evaluate("([d]) => bench.edit(d, null)", [current]))
        # new aggregates for every touchpoint (a data refresh)
        edits["metrics update"].append(
            page.evaluate("([m]) => bench.edit(null, m)", [make_metrics(current, 1 + k / 10)])
        )
    # the zoom: rendered at fit from the start, and 100 % -> fit -> 100 % on a rendered map
    fits = [page.evaluate("([d, m]) => bench.first(d, m, 'fit')", [doc, metrics]) for _ in range(runs)]
    page.evaluate("([d, m]) => bench.first(d, m, 1)", [doc, metrics])
    to_fit, to_full = [], []
    for _ in range(runs):
        to_fit.append(page.evaluate("() => bench.zoom('fit')"))
        to_full.append(page.evaluate("() => bench.zoom(1)"))

    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    print(
        f"journey map render benchmark — {n_stages} stages, {n_touchpoints} touchpoints, "
        f"{len(doc['cards'])} cards, {len(doc['lanes'])} lanes; document {size_kb:.0f} KiB; "
        f"viewport {width}px; median of {runs} runs"
    )
    print(f"  DOM elements rendered: {firsts[0]['nodes']}")
    print(f"  map width at 100 %: {firsts[0]['width']:,.0f} px; at fit: {fits[0]['shown']:,.0f} px shown "
          f"(smallest stage name drawn at {fits[0]['name_px']:.1f} px; legible >= 9 px: "
          f"{'ok' if fits[0]['name_px'] >= 9 else 'MISSED'})")
    first_total = med(firsts, "total")
    print(
        f"  first render:   {med(firsts, 'render'):7.1f} ms build + layout = {first_total:7.1f} ms "
        f"(goal < 300 ms: {'ok' if first_total < 300 else 'MISSED'}); to next painted frame {med(firsts, 'paint'):.1f} ms"
    )
    print(f"  first render at fit: {med(fits, 'render'):7.1f} ms build + layout = {med(fits, 'total'):7.1f} ms; "
          f"to next painted frame {med(fits, 'paint'):.1f} ms")
    print(f"  zoom 100 % -> fit: {med(to_fit, 'total'):7.1f} ms; fit -> 100 %: {med(to_full, 'total'):7.1f} ms "
          f"(re-render and layout)")
    for kind, rows in edits.items():
        total = med(rows, "total")
        print(
            f"  edit, {kind:22s} {med(rows, 'render'):6.2f} ms patch + layout = {total:6.2f} ms "
            f"(goal < 16 ms: {'ok' if total < 16 else 'MISSED'}; max {max(r['total'] for r in rows):.2f} ms)"
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--maps", default="20x500,30x600", help="stages x touchpoints, comma-separated")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--edits", type=int, default=10, help="edits of each kind")
    ap.add_argument("--width", type=int, default=1600)
    args = ap.parse_args()
    maps = [tuple(int(x) for x in m.lower().split("x")) for m in args.maps.split(",") if m.strip()]

    if not (STATIC / "widget.js").exists():
        print(
            "src/journeywidget/static/widget.js is missing: run `npm run build --prefix js`",
            file=sys.stderr,
        )
        return 2
    chromium = find_chromium()
    if not chromium:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    httpd, url = serve()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, args=FLAGS, headless=True, timeout=60_000
            )
            page = browser.new_page(viewport={"width": args.width, "height": 1000})
            page.goto(url)
            page.wait_for_function("() => window.ready === true")
            for n_stages, n_touchpoints in maps:
                bench_map(page, n_stages, n_touchpoints, args.runs, args.edits, args.width)
            browser.close()
    finally:
        httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
