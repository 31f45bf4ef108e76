"""What a three-way merge of two edited 600-touchpoint maps costs.

A map of 30 stages x 20 touchpoints (600 touchpoints, with descriptions, pain points
and event keys, like a worked map) is edited on two sides: each renames, re-describes
and moves touchpoints, adds stages and touchpoints, reorders stages, and both sides
rename three of the same touchpoints differently (three conflicts). Printed, the
median of the runs:

- ``merge_documents`` on the three documents (the merge itself),
- ``jw.merge`` on the three files (reading and validating them, merging, building the Journey),
- ``journeywidget merge BASE OURS THEIRS -o OUT`` as git runs it (a new interpreter),

and, as peers measured in the same run: git's own line-based ``git merge-file`` of the
same three files (which leaves conflict markers inside the JSON), loading one map
(``jw.Journey.load``) and ``j.diff`` of two of them.

Usage::

    python benchmarks/merge.py            # 7 runs
    python benchmarks/merge.py --runs 15 --json
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import journeywidget as jw
from journeywidget.document.diff import diff_documents
from journeywidget.document.merge import merge_documents

STAGES, PER_STAGE = 30, 20


def big_map() -> jw.Journey:
    ops = []
    for s in range(STAGES):
        ops.append({"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s}",
                                                            "description": f"What happens in stage {s}"}})
        for t in range(PER_STAGE):
            ops.append({"op": "add", "kind": "touchpoint", "item": {
                "id": f"t{s}-{t}", "name": f"Touchpoint {s}.{t}", "stage": f"s{s}", "channel": "web",
                "emotion": (t % 5) - 2, "description": f"Touchpoint {t} of stage {s}, with a description",
                "pain_points": [f"pain {s}.{t}"], "event_keys": [f"k{s}_{t}"]}})
    j = jw.Journey("Big map")
    j.batch(ops, label="build")
    return j


def edit(j: jw.Journey, side: int) -> None:
    ops = []
    for k in range(40):  # renames and descriptions on disjoint touchpoints per side
        s, t = (k * 7 + side) % STAGES, (k * 3 + side * 10) % PER_STAGE
        ops.append({"op": "update", "id": f"t{s}-{t}", "fields": {"name": f"Side {side} name {k}"}})
        ops.append({"op": "update", "id": f"t{(s + 5) % STAGES}-{t}", "fields": {"description": f"side {side} {k}"}})
    for k in range(15):  # moves to another stage
        ops.append({"op": "move", "id": f"t{(k * 2 + side) % STAGES}-{(k + 5 * side + 2) % PER_STAGE}",
                    "stage": f"s{(k * 5 + 3) % STAGES}", "index": 0 if side == 0 else None})
    for k in range(10):  # additions
        ops.append({"op": "add", "kind": "touchpoint", "item": {"name": f"New {side}.{k}", "stage": f"s{k}"}})
    ops.append({"op": "add", "kind": "stage", "item": {"name": f"Extra stage {side}"}})
    ops.append({"op": "move", "id": f"s{side + 10}", "index": 0})  # a reorder
    for s in (4, 14, 24):  # the same touchpoints renamed differently: conflicts
        ops.append({"op": "update", "id": f"t{s}-19", "fields": {"name": f"Conflict {side}"}})
    j.batch(ops)


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    base = big_map()
    ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
    edit(ours, 0)
    edit(theirs, 1)
    b, o, t = base.to_dict(), ours.to_dict(), theirs.to_dict()
    folder = Path(tempfile.mkdtemp())
    paths = []
    for name, j in (("base", base), ("ours", ours), ("theirs", theirs)):
        j.save(folder / f"{name}.journey.json")
        paths.append(str(folder / f"{name}.journey.json"))
    out = merge_documents(b, o, t)
    figures: dict[str, float | int] = {
        "touchpoints": len(b["touchpoints"]),
        "file_kb": round((folder / "base.journey.json").stat().st_size / 1024),
        "conflicts": len(out.conflicts),
        "merge_documents_s": timed(lambda: merge_documents(b, o, t), args.runs),
        "jw_merge_files_s": timed(lambda: jw.merge(*paths), args.runs),
        "cli_merge_s": timed(lambda: subprocess.run(
            [sys.executable, "-m", "journeywidget", "merge", *paths, "-o", str(folder / "out.json")],
            capture_output=True, check=False), max(3, args.runs // 2)),
        "load_one_map_s": timed(lambda: jw.Journey.load(paths[0]), args.runs),
        "diff_two_maps_s": timed(lambda: diff_documents(b, o), args.runs),
    }
    if shutil.which("git"):
        def git_merge_file() -> None:
            shutil.copy(paths[1], folder / "ours-copy.json")
            subprocess.run(["git", "merge-file", "-p", str(folder / "ours-copy.json"), paths[0], paths[2]],
                           capture_output=True, check=False)
        figures["git_merge_file_s"] = timed(git_merge_file, args.runs)
        text = subprocess.run(["git", "merge-file", "-p", paths[1], paths[0], paths[2]], capture_output=True).stdout
        figures["git_merge_file_conflict_markers"] = text.count(b"<<<<<<<")
    shutil.rmtree(folder)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"two edited copies of a {figures['touchpoints']}-touchpoint map ({figures['file_kb']} KiB each), "
          f"{figures['conflicts']} conflicts; median of {args.runs} runs")
    for key in ("merge_documents_s", "jw_merge_files_s", "cli_merge_s", "load_one_map_s", "diff_two_maps_s",
                "git_merge_file_s"):
        if key in figures:
            ratio = figures[key] / figures["load_one_map_s"]
            print(f"  {key:<22} {figures[key] * 1000:8.1f} ms   ({ratio:.1f}x loading one map)")
    if "git_merge_file_conflict_markers" in figures:
        print(f"  git merge-file leaves {figures['git_merge_file_conflict_markers']} conflict blocks in the JSON "
              "(the file no longer loads); journeywidget leaves a valid map with the conflicts as comments")


if __name__ == "__main__":
    main()
