"""A real JupyterLab 4 server for the browser tests, and notebook helpers.

:class:`JupyterLabServer` starts ``python -m jupyterlab`` from the test
virtualenv on 127.0.0.1 (free port, random token, a temporary root dir and
private Jupyter config/data/runtime dirs, so nothing from the user's Jupyter
setup leaks in), with a ``python3`` kernel spec that runs the same interpreter
(so ``import journeywidget`` in a notebook gets the package under test).

:class:`LabNotebook` drives one notebook in a Playwright page the way a person
would: it writes the ``.ipynb`` with nbformat, opens it, runs cells with
Shift+Enter or the Run menu, and waits for their outputs::

    def test_hello(lab_notebook):
        nb = lab_notebook(["print(1 + 1)"])       # write + open, kernel ready
        nb.run_cell(0)
        expect(nb.output(0)).to_contain_text("2")
        out = nb.run_code("import ipywidgets as w; w.IntSlider(5)")
        expect(out.locator(".widget-slider")).to_be_visible()
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

PROMPT_DONE = re.compile(r"^\[\d+\]:$")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLabServer:
    def __init__(self, base_dir: Path, *, python: str = sys.executable) -> None:
        self.base_dir = Path(base_dir)
        self.root_dir = self.base_dir / "root"
        self.python = python
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.base_dir / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None
        self._log_file = None

    # -- setup --------------------------------------------------------------------

    def _prepare_dirs(self) -> dict[str, str]:
        config = self.base_dir / "config"
        data = self.base_dir / "data"
        runtime = self.base_dir / "runtime"
        for d in (self.root_dir, config, data, runtime, self.base_dir / "ipython"):
            d.mkdir(parents=True, exist_ok=True)

        kernel_dir = data / "kernels" / "python3"
        kernel_dir.mkdir(parents=True, exist_ok=True)
        (kernel_dir / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Python 3 (ipykernel)",
                    "language": "python",
                    "metadata": {"debugger": False},
                },
                indent=1,
            )
        )
        # No language-server scan, no terminals: faster start, fewer moving parts.
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": {"jupyter_lsp": False}}})
        )
        # No "would you like to receive news" toast over the notebook.
        labconfig = config / "labconfig"
        labconfig.mkdir(exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps(
                {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
            )
        )

        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_DATA_DIR=str(data),
            JUPYTER_RUNTIME_DIR=str(runtime),
            JUPYTER_PLATFORM_DIRS="1",
            IPYTHONDIR=str(self.base_dir / "ipython"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            PYTHONUNBUFFERED="1",
        )
        # Make sure the kernel's interpreter's scripts come first on PATH.
        env["PATH"] = str(Path(self.python).parent) + os.pathsep + env.get("PATH", "")
        return env

    def start(self, timeout: float = 120.0) -> JupyterLabServer:
        env = self._prepare_dirs()
        cmd = [
            self.python,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.terminals_enabled=False",
            "--ServerApp.open_browser=False",
            f"--LabApp.workspaces_dir={self.base_dir / 'workspaces'}",
            f"--LabApp.user_settings_dir={self.base_dir / 'settings'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=",
            # No PyPI look-ups from the extension manager.
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI and the dev machines run as root
        self._log_file = open(self.log_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.root_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with {self.proc.returncode} while starting:\n" + self.log()
                )
            try:
                if self.api("GET", "/api/status", timeout=2) is not None:
                    # The lab app answers too (its page is what the browser loads).
                    self._get(f"{self.url}/lab?token={self.token}", timeout=10)
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"JupyterLab did not start in {timeout}s:\n" + self.log())
            time.sleep(0.25)

    # -- REST ------------------------------------------------------------------------

    def _get(self, url: str, timeout: float) -> bytes:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback)
            return resp.read()

    def api(self, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (loopback)
            raw = resp.read()
        return json.loads(raw) if raw else {}

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def shutdown_sessions(self, path: str | None = None) -> None:
        """Stop the kernels of notebooks (of ``path`` only, if given)."""
        try:
            for s in self.sessions():
                if path is None or s.get("path") == path:
                    self.api("DELETE", f"/api/sessions/{s['id']}")
        except (urllib.error.URLError, OSError):
            pass

    # -- urls and files --------------------------------------------------------------

    def lab_url(self, path: str = "", *, workspace: str | None = None) -> str:
        quoted = urllib.parse.quote(path)
        prefix = f"{self.url}/lab/workspaces/{workspace}" if workspace else f"{self.url}/lab"
        tail = f"/tree/{quoted}" if path else ""
        # ?reset: start from an empty layout, not the tabs of an earlier test.
        return f"{prefix}{tail}?reset&token={self.token}"

    def write_notebook(self, name: str, cells: list[str | dict]) -> Path:
        import nbformat
        from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

        nb = new_notebook(
            metadata={
                "kernelspec": {
                    "name": "python3",
                    "display_name": "Python 3 (ipykernel)",
                    "language": "python",
                },
                "language_info": {"name": "python"},
            }
        )
        for cell in cells:
            if isinstance(cell, dict):
                if cell.get("cell_type") == "markdown":
                    nb.cells.append(new_markdown_cell(cell["source"]))
                else:
                    nb.cells.append(new_code_cell(cell["source"]))
            else:
                nb.cells.append(new_code_cell(cell))
        path = self.root_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def log(self, tail: int = 80) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-tail:])

    # -- teardown ------------------------------------------------------------------

    def stop(self, timeout: float = 20.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._close_log()
            return
        try:
            self.api("POST", "/api/shutdown", timeout=5)
        except (urllib.error.URLError, OSError, json.JSONDecodeError):
            self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


class LabNotebook:
    """One notebook open in JupyterLab in ``page``."""

    def __init__(self, page, server: JupyterLabServer, path: str, *, workspace: str) -> None:
        self.page = page
        self.server = server
        self.path = path
        self.workspace = workspace

    # -- locators ----------------------------------------------------------------------

    @property
    def panel(self):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first

    @property
    def cells(self):
        return self.panel.locator(".jp-Notebook .jp-Cell")

    def cell(self, index: int):
        return self.cells.nth(index)

    def output(self, index: int):
        """The output area of cell ``index``."""
        return self.cell(index).locator(".jp-OutputArea")

    def prompt(self, index: int):
        return self.cell(index).locator(".jp-InputArea .jp-InputPrompt")

    # -- opening -------------------------------------------------------------------------

    def open(self, timeout: float = 90_000) -> LabNotebook:
        self.page.goto(self.server.lab_url(self.path, workspace=self.workspace))
        self.panel.wait_for(state="visible", timeout=timeout)
        self.cell(0).wait_for(state="visible", timeout=timeout)
        self.wait_for_kernel_idle(timeout=timeout)
        return self

    def kernel_status(self) -> str | None:
        for s in self.server.sessions():
            if s.get("path") == self.path and s.get("kernel"):
                return s["kernel"].get("execution_state")
        return None

    def wait_for_kernel_idle(self, timeout: float = 90_000) -> None:
        """Until the server reports the notebook's kernel idle and the page shows it."""
        deadline = time.monotonic() + timeout / 1000
        while self.kernel_status() != "idle":
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"kernel for {self.path} not idle after {timeout / 1000:.0f}s "
                    f"(status {self.kernel_status()!r})\n{self.server.log(40)}"
                )
            self.page.wait_for_timeout(200)
        # The toolbar's kernel status indicator agrees once the page is connected.
        indicator = self.panel.locator(".jp-Notebook-ExecutionIndicator")
        if indicator.count():
            indicator.first.wait_for(state="attached", timeout=timeout)
            self.page.wait_for_function(
                "(el) => !el || el.getAttribute('data-status') === 'idle'",
                arg=indicator.first.element_handle(),
                timeout=timeout,
            )

    # -- running ---------------------------------------------------------------------

    def select_cell(self, index: int) -> None:
        """Select cell ``index`` in command mode."""
        self.page.keyboard.press("Escape")
        self.prompt(index).click()
        self.page.keyboard.press("Escape")

    def run_cell(self, index: int, *, timeout: float = 60_000):
        """Run cell ``index`` with Shift+Enter; wait until it has finished. Returns its output."""
        before = self.prompt(index).inner_text().strip()
        self.select_cell(index)
        self.page.keyboard.press("Shift+Enter")
        self._wait_done(index, before, timeout)
        return self.output(index)

    def run_all(self, *, timeout: float = 120_000) -> None:
        """Run ▸ Run All Cells from the menu bar; wait until every code cell has run."""
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        count = self.cells.count()
        for i in range(count):
            if "jp-CodeCell" in (self.cell(i).get_attribute("class") or ""):
                self._wait_done(i, None, timeout)

    def run_code(self, source: str, *, timeout: float = 60_000):
        """Append a code cell with ``source``, run it, return its output locator."""
        last = self.cells.count() - 1
        self.select_cell(last)
        self.page.keyboard.press("b")  # insert a cell below (command mode)
        new = last + 1
        self.cell(new).wait_for(state="visible")
        self.page.keyboard.press("Enter")  # edit mode
        editor = self.cell(new).locator(".cm-content")
        editor.wait_for(state="visible")
        editor.click()
        self.page.keyboard.insert_text(source)
        before = self.prompt(new).inner_text().strip()
        self.page.keyboard.press("Shift+Enter")
        self._wait_done(new, before, timeout)
        return self.output(new)

    def _wait_done(self, index: int, before: str | None, timeout: float) -> None:
        self.page.wait_for_function(
            """([el, before]) => {
                const t = (el.textContent || '').trim();
                return /^\\[\\d+\\]:$/.test(t) && (before === null || t !== before);
            }""",
            arg=[self.prompt(index).element_handle(), before],
            timeout=timeout,
        )

    def text_output(self, index: int) -> str:
        return self.output(index).inner_text()

    def save(self) -> None:
        self.page.keyboard.press("Control+s")

    def close(self) -> None:
        self.server.shutdown_sessions(self.path)
