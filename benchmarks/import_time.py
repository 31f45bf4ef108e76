"""How long does ``import journeywidget`` take? Goal: under 0.1 s over interpreter start.

Each measurement is a fresh interpreter (``python -c "import X"``), so nothing
is cached in ``sys.modules``; the best of N runs is reported (the least
disturbed by the machine's other work), with the median beside it. The baseline
is the bare interpreter start (``python -c pass``), which is subtracted to give
the cost of the import itself.

Then ``python -X importtime -c "import journeywidget"`` lists the slowest
modules (cumulative time), which tells what to make lazy: journeywidget should
not pull pandas, altair, pydantic or anywidget in at import time.

Usage::

    python benchmarks/import_time.py            # 15 runs each, table + top 15
    python benchmarks/import_time.py -n 30 --top 25 --json
    python benchmarks/import_time.py --check    # exit 1 when over the budget

Heavy modules that ``import journeywidget`` loaded are listed too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

BUDGET_S = 0.1
HEAVY = (
    "pandas",
    "numpy",
    "altair",
    "pydantic",
    "anywidget",
    "ipywidgets",
    "narwhals",
    "polars",
    "duckdb",
    "pyspark",
    "pyarrow",
    "jsonschema",
    "IPython",
    "traitlets",
)


def _time_once(code: str, python: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [python, "-c", code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def measure(code: str, runs: int, python: str) -> dict:
    _time_once(code, python)  # warm the OS file cache
    samples = [_time_once(code, python) for _ in range(runs)]
    return {"best": min(samples), "median": statistics.median(samples), "runs": runs}


def importtime(module: str, python: str, top: int) -> list[tuple[float, float, str]]:
    """(cumulative s, self s, module) of the slowest imports of ``module``."""
    proc = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cum_us, name = line.split(":", 1)[1].split("|", 2)
        rows.append((int(cum_us) / 1e6, int(self_us) / 1e6, name.rstrip()))
    rows.sort(reverse=True)
    return rows[:top]


def heavy_modules_loaded(module: str, python: str) -> list[str]:
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True).stdout
    return [m for m in out.strip().split(",") if m]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {BUDGET_S} s")
    args = parser.parse_args(argv)

    targets = {
        "python -c pass": "pass",
        "import journeywidget": "import journeywidget",
        "jw.Journey (first use)": "import journeywidget as jw; jw.Journey",
        "jw.JourneyWidget": "import journeywidget as jw; jw.JourneyWidget",
        "import pandas": "import pandas",
        "import altair": "import altair",
        "import pydantic": "import pydantic",
        "import anywidget": "import anywidget",
    }
    results = {}
    for label, code in targets.items():
        try:
            results[label] = measure(code, args.runs, args.python)
        except subprocess.CalledProcessError:
            results[label] = None
    base = results["python -c pass"]["best"]

    print(f"Python: {args.python}  ({args.runs} fresh interpreters each, best / median)")
    print(f"{'':24}{'best':>9}{'median':>9}{'minus start':>13}")
    for label, r in results.items():
        if r is None:
            print(f"{label:24}{'failed':>9}")
            continue
        extra = "" if label == "python -c pass" else f"{r['best'] - base:>12.3f}s"
        print(f"{label:24}{r['best']:>8.3f}s{r['median']:>8.3f}s{extra}")

    jw = results["import journeywidget"]
    if jw is None:
        print("\nimport journeywidget FAILED")
        return 1
    cost = jw["best"] - base
    verdict = "OK" if cost < BUDGET_S else "OVER BUDGET"
    print(
        f"\nimport journeywidget costs {cost:.3f} s over interpreter start: "
        f"{verdict} (budget {BUDGET_S} s)"
    )

    heavy = heavy_modules_loaded("journeywidget", args.python)
    print("heavy modules loaded by `import journeywidget`: " + (", ".join(heavy) or "none"))

    print(f"\npython -X importtime -c 'import journeywidget' (top {args.top}, cumulative):")
    print(f"{'cumulative':>11}{'self':>9}  module")
    for cum, self_s, name in importtime("journeywidget", args.python, args.top):
        print(f"{cum:>10.3f}s{self_s:>8.3f}s  {name}")

    if args.json:
        print(
            json.dumps(
                {"results": results, "import_cost_s": cost, "heavy": heavy, "budget_s": BUDGET_S},
                indent=2,
            )
        )
    return 1 if (args.check and cost >= BUDGET_S) else 0


if __name__ == "__main__":
    sys.exit(main())
