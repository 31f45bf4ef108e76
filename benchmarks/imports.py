"""Benchmark: the importers on 100,000-line inputs and on the attack shapes of issue 11.

    python benchmarks/imports.py             # everything (about a minute)
    python benchmarks/imports.py --lines 20000

For each importer it times, in this one process (CPU seconds, and wall seconds):

* a 100,000-line input: CSV and .xlsx tables (100,000 touchpoints in 50 stages),
  Mermaid text (100,000 tasks in 1,000 sections), and the JSON file of the same map;
* how that splits between reading and the document validation every import ends with
  (``validate_document`` on the same map, measured alone);
* peers on the same files: ``pandas.read_csv``, openpyxl's read-only reader, ``json.loads``;
* the attack shapes: ``"%%{" * 200_000``, 8,000 same-named sections, 8,000 identical
  CSV rows, a 1 GiB zip bomb (refusal time and peak memory above the baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import journeywidget as jw  # noqa: E402
from journeywidget.document.io import validate_document  # noqa: E402
from journeywidget.export import from_mermaid, from_table, to_mermaid  # noqa: E402


def timed(fn):
    c, w = time.process_time(), time.perf_counter()
    try:
        out = fn()
    except jw.JourneyError as e:
        out = e
    return time.process_time() - c, time.perf_counter() - w, out


def row(label: str, cpu: float, wall: float, note: str = "", out: object = None) -> None:
    if isinstance(out, Exception):
        note = f"{note} -> {type(out).__name__}: {str(out)[:120]}"
    print(f"  {label:<48} {cpu:6.2f} s cpu {wall:6.2f} s wall  {note}")


def vm_hwm_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_hwm() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    args = ap.parse_args()
    n = args.lines
    tmp = Path(tempfile.mkdtemp(prefix="jw-imports-"))
    rows = [{"stage": f"Stage {i % 50}", "touchpoint": f"Step {i}", "channel": "web", "emotion": (i % 5) - 2}
            for i in range(n)]
    journey = from_table(rows)
    doc = journey.to_dict()
    print(f"{n:,}-line inputs ({len(doc['touchpoints']):,} touchpoints, {len(doc['stages'])} stages)")

    fresh = json.loads(json.dumps(doc))
    validate_cpu, wall, _ = timed(lambda: validate_document(fresh))
    row("validate_document alone (every import ends so)", validate_cpu, wall)

    def own(cpu: float) -> str:
        return f"(reading and building: {max(cpu - validate_cpu, 0):.2f} s cpu)"

    csv_path = tmp / "map.csv"
    jw.export.to_csv(journey, csv_path)
    cpu, wall, out = timed(lambda: from_table(csv_path))
    row("from_table(.csv)", cpu, wall, f"{csv_path.stat().st_size / 1e6:.1f} MB {own(cpu)}", out)
    import pandas as pd

    cpu, wall, _ = timed(lambda: pd.read_csv(csv_path, dtype=str, keep_default_na=False))
    row("  peer: pandas.read_csv (parse only)", cpu, wall)

    xlsx_path = tmp / "map.xlsx"
    jw.export.to_excel(journey, xlsx_path)
    cpu, wall, out = timed(lambda: from_table(xlsx_path))
    row("from_table(.xlsx)", cpu, wall, f"{xlsx_path.stat().st_size / 1e6:.1f} MB, 16 columns {own(cpu)}", out)
    try:
        import openpyxl

        def openpyxl_rows():
            wb = openpyxl.load_workbook(xlsx_path, read_only=True, data_only=True)
            count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
            wb.close()
            return count

        cpu, wall, _ = timed(openpyxl_rows)
        row("  peer: openpyxl read-only rows (read only)", cpu, wall)
    except ImportError:
        print("  peer: openpyxl not installed")

    sections = "".join(f"  section Stage {s}\n" + "".join(f"    Step {s}-{k}: {1 + k % 5}: Me, Web\n"
                                                         for k in range(n // 1000)) for s in range(1000))
    text = "journey\n  title Big\n" + sections
    cpu, wall, out = timed(lambda: from_mermaid(text))
    row("from_mermaid", cpu, wall, f"{text.count(chr(10)):,} lines {own(cpu)}", out)
    meta_text = to_mermaid(journey)
    cpu, wall, out = timed(lambda: from_mermaid(meta_text))
    row("from_mermaid (to_mermaid output, with comments)", cpu, wall,
        f"{meta_text.count(chr(10)):,} lines {own(cpu)}", out)

    json_path = tmp / "map.json"
    journey.save(json_path)
    cpu, wall, out = timed(lambda: jw.Journey.load(json_path, max_bytes=1 << 30))
    row("Journey.load(.json, max_bytes=1 GiB)", cpu, wall, f"{json_path.stat().st_size / 1e6:.1f} MB {own(cpu)}", out)
    cpu, wall, _ = timed(lambda: json.loads(json_path.read_bytes()))
    row("  peer: json.loads (parse only)", cpu, wall)

    print("attack shapes")
    cpu, wall, out = timed(lambda: from_mermaid("%%{" * 200_000 + "\njourney\n section A\n  t: 3: me\n"))
    row('from_mermaid("%%{" * 200_000 + ...)', cpu, wall, type(out).__name__)
    cpu, wall, out = timed(lambda: from_mermaid("journey\n" + "  section A\n    t: 3: me\n" * 8000))
    row("8,000 same-named Mermaid sections", cpu, wall, type(out).__name__ + " (over 1,000 stages)")
    cpu, wall, out = timed(lambda: from_mermaid("journey\n" + ("  section A\n" + "    t: 3: me\n" * 8) * 1000))
    row("1,000 same-named sections x 8 same-named tasks", cpu, wall, type(out).__name__)
    same = tmp / "same.csv"
    same.write_text("stage,touchpoint\n" + "S,T\n" * 8000)
    cpu, wall, out = timed(lambda: from_table(same))
    row("8,000 identical CSV rows", cpu, wall, type(out).__name__)

    from importer_inputs import zip_bomb

    bomb = tmp / "bomb.xlsx"
    zip_bomb(bomb, 1 << 30)
    base = vm_hwm_kib()
    reset_hwm()
    base = min(base, vm_hwm_kib())
    cpu, wall, out = timed(lambda: from_table(bomb))
    peak = vm_hwm_kib() - base
    row("1 GiB zip bomb", cpu, wall, f"{bomb.stat().st_size / 1e6:.1f} MB file, refused in {wall * 1000:.1f} ms, "
        f"peak memory +{max(peak, 0) / 1024:.1f} MiB", out)
    for p in tmp.iterdir():
        p.unlink()
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
