"""Measure retentioneering's funnel on a seeded log and store its numbers as a test fixture.

    python benchmarks/retentioneering_funnel.py          # writes tests/data/retentioneering_funnel.json

The log is ``tests/funnel_logs.retentioneering_log`` (seed and parameters are stored in
the fixture). retentioneering is installed into its own virtualenv (the one
``benchmarks/bind.py`` uses, ``--venv``), run there on the log as CSV, and its
per-step counts (``funnel_data``: users, and sessions after ``split_sessions(timeout=...)``)
are written to the fixture. ``tests/test_funnel_peers.py`` regenerates the log in-process
and checks that journeywidget's ordered funnel gives the same numbers. Nothing is typed
in by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bind import ensure_venv, install  # noqa: E402

from funnel_logs import STEPS, retentioneering_log  # noqa: E402

PARAMS = {"seed": 7, "users": 500, "max_len": 40, "session_gap_s": 600}
FIXTURE = ROOT / "tests" / "data" / "retentioneering_funnel.json"

CHILD = textwrap.dedent(r'''
    import json, sys, warnings
    warnings.filterwarnings("ignore")
    import pandas as pd
    import retentioneering
    from retentioneering.eventstream import Eventstream
    path, steps, timeout = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    df = pd.read_csv(path, parse_dates=["timestamp"])
    es = Eventstream(df, schema={"path_cols": ["user_id"], "event_col": "event",
                                 "timestamp_col": "timestamp"})
    users = es.funnel_data(steps=steps)["steps"]
    ses = es.split_sessions(timeout=timeout)
    sessions = ses.funnel_data(steps=steps, path_col="session_id")["steps"]
    print("RESULT " + json.dumps({"version": retentioneering.__version__, "users": users,
                                  "sessions": sessions}))
''')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", default=str(Path(tempfile.gettempdir()) / "jw-bench-venv"))
    a = ap.parse_args()
    py, err = ensure_venv(Path(a.venv))
    if py is None:
        sys.exit(err)
    err = install(py, ["retentioneering", "pyarrow"])
    if err:
        sys.exit("pip install retentioneering failed:\n" + err)
    df = retentioneering_log(**PARAMS)
    timeout = f"{PARAMS['session_gap_s']}s"
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "log.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "child.py"
        script.write_text(CHILD)
        env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1"}
        r = subprocess.run([str(py), str(script), str(csv), json.dumps(list(STEPS)), timeout],
                           capture_output=True, text=True, timeout=900, env=env)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        sys.exit("retentioneering failed:\n" + (r.stderr or r.stdout)[-3000:])
    res = json.loads(line[7:])
    out = {
        "about": "retentioneering's funnel_data on tests/funnel_logs.retentioneering_log(**params); "
                 "written by benchmarks/retentioneering_funnel.py",
        "params": PARAMS, "steps": list(STEPS), "session_timeout": timeout,
        "retentioneering": res["version"], "rows": len(df),
        "users": [{"step": s["step"], "unique_paths": s["unique_paths"],
                   "conversion_rate": s["conversion_rate"],
                   "step_conversion_rate": s["step_conversion_rate"]} for s in res["users"]],
        "sessions": [{"step": s["step"], "unique_paths": s["unique_paths"],
                      "conversion_rate": s["conversion_rate"]} for s in res["sessions"]],
    }
    FIXTURE.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
