"""What renaming one touchpoint in the page costs: kernel time and bytes on the wire.

A map of S stages x 50 touchpoints (500 and 2,000 touchpoints) is shown in a
``JourneyWidget`` with an event log bound and the funnel overlay on (so the
metrics and the charts follow every edit). The widget's comm is a stand-in that
serialises every message the kernel sends exactly as a Jupyter kernel does
(``jupyter_client.Session``: header, parent, metadata, content and binary buffers;
the signature is left out), so the bytes counted are the bytes the page receives.

One rename is the page's own message: ``{"type": "ops", "ops": [update name]}``
handled by the widget, as ipywidgets hands it over. Printed per map size: the
kernel time of that message (median of N renames, each a different touchpoint):
its CPU time (the kernel's own work) and its wall time (which on a busy machine
also counts waiting for a core; the machine's load average is printed),
the bytes sent for it (median) and which messages they were; the goals are
< 16 ms and < 8 KiB at 2,000 touchpoints. ``--full`` also measures whole values
(the whole document on every edit, as before patches and still for hosts that cannot
apply them) in the same run, as the peer to compare with; the metrics' shortcut for
edits that change no number (data/relabel.py) applies to both.

Usage::

    python benchmarks/rename.py            # 500 and 2,000 touchpoints, 30 renames each
    python benchmarks/rename.py -n 60 --json

Only the widget's page-message entry point is used, so an older checkout can be
measured too (``PYTHONPATH=<checkout>/src python benchmarks/rename.py``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import comm
from comm.base_comm import BaseComm
from edit import PER_STAGE, big_map, events  # the same big map as benchmarks/edit.py
from jupyter_client.session import Session

import journeywidget as jw

GOAL_MS, GOAL_BYTES = 16.0, 8 * 1024


class WireComm(BaseComm):
    """A comm that serialises what the kernel would send and records its size."""

    session = Session(key=b"")
    log: list[tuple[str, int, Any]] = []

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                    **keys: Any) -> None:
        content = {"data": data or {}, "comm_id": self.comm_id, **keys}
        msg = self.session.msg(msg_type, content=content, metadata=metadata or {})
        frames = self.session.serialize(msg)[2:]  # header, parent, metadata, content
        size = sum(len(f) for f in frames) + sum(memoryview(b).nbytes for b in buffers or [])
        WireComm.log.append((msg_type, size, data))


def describe(entry: tuple[str, int, Any]) -> str:
    _kind, size, data = entry
    method = (data or {}).get("method", "?")
    if method == "update":
        what = "update " + ",".join(sorted((data.get("state") or {}).keys()))
    elif method == "custom":
        what = "custom " + str((data.get("content") or {}).get("type", "?"))
    else:
        what = method
    return f"{what} ({size:,} B)"


def measure(stages: int, n: int, full: bool) -> dict:
    j = big_map(stages)
    w = jw.JourneyWidget(j)
    w.bind_events(events(stages=stages), customer="customer", time="ts", touchpoint="event")
    w.overlay = "funnel"
    if full and hasattr(w, "_patching"):
        w._patching = False  # whole values on every edit, as before patches (and for hosts without them)
    times, cpu, sizes, kinds = [], [], [], []
    for i in range(n):
        tp = f"t{(7 * i) % stages}-{(11 * i) % PER_STAGE}"
        msg = {"type": "ops", "ops": [{"op": "update", "id": tp, "fields": {"name": f"Renamed {i}"}}],
               "rid": i + 1}
        WireComm.log.clear()
        t0, c0 = time.perf_counter(), time.process_time()
        w._on_page_msg(w, msg, [])
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        sizes.append(sum(size for _k, size, _d in WireComm.log))
        kinds.append([describe(e) for e in WireComm.log])
        assert j[tp].name == f"Renamed {i}"
    doc_bytes = len(json.dumps(w._doc, separators=(",", ":")).encode())
    w.close()
    mid = sorted(range(n), key=lambda k: sizes[k])[n // 2]
    return {
        "touchpoints": stages * PER_STAGE,
        "protocol": "full" if full else "default",
        "kernel_cpu_ms_median": round(statistics.median(cpu) * 1000, 2),
        "kernel_ms_median": round(statistics.median(times) * 1000, 2),
        "kernel_ms_best": round(min(times) * 1000, 2),
        "bytes_median": int(statistics.median(sizes)),
        "bytes_max": max(sizes),
        "messages": kinds[mid],
        "document_bytes": doc_bytes,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=30, help="renames per map size")
    ap.add_argument("--full", action="store_true", help="also measure the whole-document protocol")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    comm.create_comm = WireComm
    results = []
    for stages in (10, 40):
        for full in ((False, True) if args.full else (False,)):
            results.append(measure(stages, args.n, full))
    if args.json:
        print(json.dumps(results, indent=2))
    ok = True
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"rename one touchpoint from the page (data bound, funnel overlay on; load average {load})")
    print(f"{'touchpoints':>12} {'protocol':>9} {'CPU ms':>7} {'wall ms':>8} {'best':>6} {'bytes sent':>11}  messages")
    for r in results:
        print(f"{r['touchpoints']:>12,} {r['protocol']:>9} {r['kernel_cpu_ms_median']:>7.1f} "
              f"{r['kernel_ms_median']:>8.1f} {r['kernel_ms_best']:>6.1f} {r['bytes_median']:>11,}  "
              f"{'; '.join(r['messages'])}")
        if r["touchpoints"] == 2000 and r["protocol"] == "default":
            ok = r["kernel_cpu_ms_median"] < GOAL_MS and r["bytes_median"] < GOAL_BYTES
    big = [r for r in results if r["touchpoints"] == 2000]
    print(f"goal at 2,000 touchpoints: < {GOAL_MS:g} ms and < {GOAL_BYTES:,} B: {'met' if ok else 'NOT met'}"
          f" (the document itself is {big[0]['document_bytes']:,} B)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
