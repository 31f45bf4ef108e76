"""The examples run top to bottom with no network (nbclient), and the script writes its report."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_there_are_enough_examples():
    assert len(NOTEBOOKS) >= 4
    assert (EXAMPLES / "build_report.py").exists()
    assert (EXAMPLES / "marimo_app.py").exists()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # a displayed widget carries its static fallback, so saved notebooks never come out blank
    if "widget()" in path.read_text() or "JourneyWidget(" in path.read_text():
        mimes = {k for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) for k in o.get("data", {})}
        assert "application/vnd.jupyter.widget-view+json" in mimes


@pytest.mark.slow
def test_report_script(tmp_path):
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "build_report.py"), str(tmp_path / "r")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert out.returncode == 0, out.stderr
    html = (tmp_path / "r" / "banking-onboarding.html").read_text(encoding="utf-8")
    assert "Identity check" in html and "<script" in html
    assert (tmp_path / "r" / "banking-onboarding.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_marimo_app_compiles():
    source = (EXAMPLES / "marimo_app.py").read_text()
    compile(source, "marimo_app.py", "exec")
    assert "mo.ui.anywidget(widget)" in source
