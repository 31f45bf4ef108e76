"""What one big message of edits from the page costs the kernel.

The page sends edits as ``{"type": "ops", "ops": [...]}``; the widget applies them
as one batch. A hostile (or buggy) page can send thousands at once. This script
delivers such messages to a ``JourneyWidget`` the way the kernel's comm does
(``_handle_msg``) and prints how long each took, and whether it was applied:

* N touchpoint additions spread over the stages of a template map
  (N = 1,000, 2,000, 4,000, 8,000), and the time per op, so the growth with N
  shows (linear: the same time per op; quadratic: it doubles with N);
* the same edits through ``Journey.batch`` (a script's batch, which has no cap);
* one edit of a 2,000-touchpoint map through ``Journey.update`` (median).

Usage::

    python benchmarks/ops_message.py            # best of 3 runs
    python benchmarks/ops_message.py --runs 1 --json

Only public API and the comm's message entry point are used, so the same script
measures an older checkout too (``PYTHONPATH=<checkout>/src python benchmarks/ops_message.py``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import journeywidget as jw


def add_ops(doc: dict, n: int) -> list[dict]:
    stages = [s["id"] for s in doc["stages"]]
    return [{"op": "add", "kind": "touchpoint",
             "item": {"name": f"Touchpoint {i}", "stage": stages[i % len(stages)], "emotion": 0}}
            for i in range(n)]


def message(n: int) -> tuple[float, bool, int]:
    """Seconds to handle one page message of ``n`` add-ops, whether it was applied, error length."""
    j = jw.Journey.from_template("ecommerce-purchase")
    w = j.widget()
    got: list = []
    w.send = lambda content, buffers=None: got.append(content)  # type: ignore[method-assign]
    ops = add_ops(j.to_dict(), n)
    t0 = time.perf_counter()
    w._handle_msg({"content": {"data": {"method": "custom", "content": {"type": "ops", "ops": ops, "rid": 1}}},
                   "buffers": []})
    dt = time.perf_counter() - t0
    result = [m for m in got if isinstance(m, dict) and m.get("type") == "result"][-1]
    w.close()
    return dt, bool(result["ok"]), len(result["error"] or "")


def script_batch(n: int) -> float:
    j = jw.Journey.from_template("ecommerce-purchase")
    ops = add_ops(j.to_dict(), n)
    t0 = time.perf_counter()
    j.batch(ops)
    return time.perf_counter() - t0


def big_map_edit(edits: int = 40) -> float:
    """Median seconds of one ``update`` on a 40-stage x 50-touchpoint map (no widget)."""
    ops = []
    for s in range(40):
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s}"}})
        ops += [{"op": "add", "kind": "touchpoint", "item": {"id": f"t{s}-{t}", "name": f"T {s}.{t}", "stage": f"s{s}"}}
                for t in range(50)]
    j = jw.Journey("Big map")
    j.batch(ops)
    times = []
    for i in range(edits):
        t0 = time.perf_counter()
        j.update(f"t{i % 40}-{i % 50}", name=f"Renamed {i}")
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out: dict = {"message": {}, "script_batch": {}}
    for n in (1_000, 2_000, 4_000, 8_000):
        runs = [message(n) for _ in range(args.runs)]
        best = min(runs)
        out["message"][n] = {"s": round(best[0], 4), "applied": best[1], "error_chars": best[2],
                             "us_per_op": round(best[0] / n * 1e6, 1)}
        sb = min(script_batch(n) for _ in range(args.runs))
        out["script_batch"][n] = {"s": round(sb, 4), "us_per_op": round(sb / n * 1e6, 1)}
    out["edit_2000_touchpoints_ms"] = round(min(big_map_edit() for _ in range(args.runs)) * 1e3, 3)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"one page message of N touchpoint additions (best of {args.runs}):")
    for n, r in out["message"].items():
        state = "applied" if r["applied"] else f"refused ({r['error_chars']} chars of error)"
        print(f"  N={n:>5,}: {r['s']:8.3f} s  ({r['us_per_op']:8.1f} us/op)  {state}")
    print("the same edits as one Journey.batch from a script:")
    for n, r in out["script_batch"].items():
        print(f"  N={n:>5,}: {r['s']:8.3f} s  ({r['us_per_op']:8.1f} us/op)")
    print(f"one update on a 2,000-touchpoint map: {out['edit_2000_touchpoints_ms']:.3f} ms (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
