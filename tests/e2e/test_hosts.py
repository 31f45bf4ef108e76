"""Other hosts: Notebook 7 (served by the same Jupyter server as the JupyterLab tests) and marimo."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from harness.jupyterlab import LabNotebook

ROOT = Path(__file__).resolve().parents[2]

SETUP = """\
import journeywidget as jw
j = jw.Journey.from_template("saas-onboarding")
w = jw.JourneyWidget(j)
w"""


class Notebook7(LabNotebook):
    """A notebook open in Jupyter Notebook 7 (``/notebooks/<path>``) rather than in JupyterLab."""

    def open(self, timeout: float = 90_000) -> Notebook7:
        url = f"{self.server.url}/notebooks/{urllib.parse.quote(self.path)}?token={self.server.token}"
        self.page.goto(url)
        self.panel.wait_for(state="visible", timeout=timeout)
        self.cell(0).wait_for(state="visible", timeout=timeout)
        self.wait_for_kernel_idle(timeout=timeout)
        return self


@pytest.mark.jupyter
def test_widget_in_notebook_7(page, jupyterlab):
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    jupyterlab.write_notebook("nb7.ipynb", [SETUP, ""])
    nb = Notebook7(page, jupyterlab, "nb7.ipynb", workspace="nb7").open()
    try:
        assert "/notebooks/" in page.url
        out = nb.run_cell(0)
        expect(out.locator(".jw-stage")).to_have_count(6, timeout=30_000)
        expect(out.locator(".jw-tp")).to_have_count(20)
        # an edit in the page reaches the kernel...
        name = out.locator('.jw-stage [data-field="name"]').first
        name.click()
        page.keyboard.press("Control+a")
        page.keyboard.type("Find us")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        printed = nb.run_code("print(j.stages[0].name)")
        expect(printed).to_contain_text("Find us")
        # ...and a change made in Python shows in the page
        nb.run_code('j.add_stage("Advocacy")')
        expect(out.locator(".jw-stage")).to_have_count(7)
    finally:
        nb.close()


@pytest.mark.slow
def test_marimo_app_runs_headless(tmp_path):
    """The marimo example app runs top to bottom (marimo export executes every cell)."""
    assert importlib.util.find_spec("marimo") is not None, "marimo is in the test extra: pip install -e .[test]"
    out = tmp_path / "app.html"
    run = subprocess.run(
        [sys.executable, "-m", "marimo", "export", "html", str(ROOT / "examples" / "marimo_app.py"), "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    html = out.read_text(encoding="utf-8")
    assert "SaaS onboarding" in html


@pytest.mark.slow
def test_marimo_app_in_the_browser(page):
    """marimo opens comms only for anywidgets: the map carries its code inline there, renders,
    and an edit reaches Python (the app's next cell shows it)."""
    import os
    import signal
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "marimo", "run", str(ROOT / "examples" / "marimo_app.py"), "--headless",
         "--host", "127.0.0.1", "--port", str(port), "--no-token"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        page.set_viewport_size({"width": 1400, "height": 1000})
        for _ in range(120):
            try:
                page.goto(f"http://127.0.0.1:{port}/")
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                page.wait_for_timeout(500)
        expect(page.locator(".jw-tp")).to_have_count(20, timeout=90_000)
        expect(page.locator(".jw-loading")).to_have_count(0)
        from harness import retype

        name = page.locator('.jw-stage [data-field="name"]').first
        retype(page, name, "Found in marimo")
        expect(name).to_have_text("Found in marimo")
        # the funnel overlay (its runtime travels inline too) is drawn in the stage headers' band
        # and names the renamed stage in its marks' labels
        band = page.locator(".jw-band-stages").first
        expect(band.locator('[aria-label^="Found in marimo: "]')).to_have_count(1, timeout=30_000)
        from test_widget_screenshots import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "marimo-app.png"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
