"""What one edit costs on a big map shown in a widget with data bound.

A map of 40 stages x 50 touchpoints (2,000 touchpoints) is shown in a
``JourneyWidget`` with an event log bound (so the metrics and the charts follow
every edit: the ``"funnel"`` overlay is on). Then N edits go through the one edit
path (``journey.update``, as the page's edits do), alternating a rename and an
emotion change. Printed: the median time per edit (best and median of the runs),
and how many times the whole document was deep-copied per edit (``copy.deepcopy``
of a dict holding the touchpoints), since copying the map on every edit was what
made big maps slow.

Usage::

    python benchmarks/edit.py            # 40 edits, 3 runs
    python benchmarks/edit.py -n 100 --runs 5 --json

Only public API is used, so the same script measures an older checkout too
(``PYTHONPATH=<checkout>/src python benchmarks/edit.py``).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time

import numpy as np
import pandas as pd

import journeywidget as jw

STAGES, PER_STAGE = 40, 50


def big_map(stages: int = STAGES) -> jw.Journey:
    ops = []
    for s in range(stages):
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s}"}})
        for t in range(PER_STAGE):
            ops.append({"op": "add", "kind": "touchpoint", "item": {
                "id": f"t{s}-{t}", "name": f"Touchpoint {s}.{t}", "stage": f"s{s}",
                "channel": "web", "emotion": 0, "event_keys": [f"k{s}_{t}"]}})
    j = jw.Journey("Big map")
    j.batch(ops, label="build")
    return j


def events(n_customers: int = 2_000, seed: int = 0, stages: int = STAGES) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        depth = int(rng.integers(1, stages + 1))
        for s in range(depth):
            t = int(rng.integers(PER_STAGE))
            rows.append((f"c{c}", s * 3600 + int(rng.integers(3600)), f"k{s}_{t}"))
    return pd.DataFrame(rows, columns=["customer", "ts", "event"])


class CopyCounter:
    """Counts deep copies of whole documents (a dict with a "touchpoints" list)."""

    def __init__(self) -> None:
        self.count = 0
        self._orig = copy.deepcopy

    def __enter__(self) -> CopyCounter:
        orig = self._orig

        def counting(x, memo=None, _nil=[]):  # noqa: B006 - copy.deepcopy's own signature
            if memo is None and isinstance(x, dict) and isinstance(x.get("touchpoints"), list):
                self.count += 1
            return orig(x, memo, _nil)

        copy.deepcopy = counting
        return self

    def __exit__(self, *exc: object) -> None:
        copy.deepcopy = self._orig


def run(n_edits: int) -> tuple[list[float], float]:
    j = big_map()
    w = jw.JourneyWidget(j)
    w.bind_events(events(), customer="customer", time="ts", touchpoint="event")
    w.overlay = "funnel"
    times = []
    with CopyCounter() as counter:
        for i in range(n_edits):
            tp = f"t{i % STAGES}-{i % PER_STAGE}"
            t0 = time.perf_counter()
            if i % 2:
                j.update(tp, emotion=(i % 5) - 2)
            else:
                j.update(tp, name=f"Renamed {i}")
            times.append(time.perf_counter() - t0)
    w.close()
    return times, counter.count / n_edits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=40, help="edits per run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    medians, copies = [], []
    for _ in range(args.runs):
        times, per_edit = run(args.n)
        medians.append(statistics.median(times))
        copies.append(per_edit)
    out = {
        "touchpoints": STAGES * PER_STAGE,
        "edit_ms_best": round(min(medians) * 1000, 2),
        "edit_ms_median": round(statistics.median(medians) * 1000, 2),
        "document_deep_copies_per_edit": round(statistics.median(copies), 2),
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"map: {out['touchpoints']:,} touchpoints, shown in a widget with events bound and the "
          "funnel overlay")
    print(f"one edit (journey.update): {out['edit_ms_best']:.1f} ms best run, "
          f"{out['edit_ms_median']:.1f} ms median run")
    print(f"deep copies of the whole document per edit: {out['document_deep_copies_per_edit']:g}")


if __name__ == "__main__":
    main()
