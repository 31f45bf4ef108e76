"""Browser fixtures: Debian chromium through Playwright for Python.

Fixtures
--------
``browser``       session-scoped chromium (skipped locally when chromium is
                  missing; in CI, CI=true, a missing browser is a failure).
``page``          a fresh browser context + page per test; on failure a
                  screenshot lands in test-results/.
``standalone``    ``h = standalone(widget)`` renders a widget's ES module in a
                  plain page with its model bridged to the Python ``widget``
                  (see harness/standalone.py). ``h.sync()`` flushes both ways.
``jw_bundle``     path of the built src/journeywidget/static/widget.js.
``jupyterlab``    session-scoped real JupyterLab 4 server (url, token, root_dir).
``lab_notebook``  ``nb = lab_notebook(["code", ...])`` writes the notebook,
                  opens it in ``page`` and waits for an idle kernel (see
                  harness/jupyterlab.py).

Every test in tests/e2e is marked ``e2e``; tests that use ``jupyterlab`` are
also marked ``jupyter`` (tests/conftest.py), and all of them run after the
other tests (Playwright's sync API keeps an event loop installed on the main
thread while it is alive, which breaks ``asyncio.run`` in other tests).
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest

from harness import BUNDLE_CSS, BUNDLE_JS, REPO_ROOT
from harness.browser import find_chromium, in_ci, launch

ARTIFACTS = REPO_ROOT / "test-results"


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if not path:
        _unavailable("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    expect.set_options(timeout=10_000)
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    b = launch(playwright_instance, chromium_path)
    yield b
    b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed and not pg.is_closed():
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception:
            pass
    context.close()


# ---------------------------------------------------------------------------
# Standalone harness
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def harness_server():
    from harness.standalone import HarnessServer

    server = HarnessServer()
    yield server
    server.close()


@pytest.fixture
def standalone(page, harness_server):
    """Factory: ``standalone(widget, esm=None, css=None) -> StandaloneHarness``.

    ``esm``/``css`` default to the widget's own ``_esm``/``_css`` (for
    journeywidget these are the built static/widget.js and widget.css); pass a
    path or source text to override. Teardown fails the test if the page or a
    Python handler raised and nobody called ``h.check()``/``h.sync()`` since.
    """
    from harness.standalone import StandaloneHarness

    made: list[StandaloneHarness] = []

    def make(widget, *, esm=None, css=None) -> StandaloneHarness:
        h = StandaloneHarness(page, harness_server, widget, esm=esm, css=css)
        made.append(h)
        return h

    yield make
    errors = []
    for h in made:
        try:
            if not page.is_closed():
                h.check()
        except AssertionError as exc:
            errors.append(str(exc))
        finally:
            h.close()
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def jw_bundle() -> Path:
    """The built front end; fails (never skips) when it is missing."""
    if not BUNDLE_JS.exists():
        pytest.fail(
            f"{BUNDLE_JS.relative_to(REPO_ROOT)} is missing: build it with "
            "`pip install -e .` or `npm run build --prefix js`",
            pytrace=False,
        )
    return BUNDLE_JS


@pytest.fixture(scope="session")
def jw_bundle_css() -> Path:
    if not BUNDLE_CSS.exists():
        pytest.fail(f"{BUNDLE_CSS.relative_to(REPO_ROOT)} is missing", pytrace=False)
    return BUNDLE_CSS


# ---------------------------------------------------------------------------
# JupyterLab
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """A running JupyterLab 4: ``.url``, ``.token``, ``.root_dir``, ``.lab_url(path)``."""
    from harness.jupyterlab import JupyterLabServer

    timeout = float(os.environ.get("JW_LAB_START_TIMEOUT", "180"))
    server = JupyterLabServer(tmp_path_factory.mktemp("jupyterlab"))
    error = None
    try:
        server.start(timeout=timeout)
    except RuntimeError as exc:
        error = str(exc)
    if error:
        pytest.fail(error, pytrace=False)
    yield server
    server.stop()


_NB_IDS = itertools.count(1)


@pytest.fixture
def lab_notebook(page, jupyterlab, request):
    """Factory: ``lab_notebook(cells, name=None) -> LabNotebook`` (opened, kernel idle)."""
    from harness.jupyterlab import LabNotebook

    page.set_default_timeout(30_000)
    opened: list[LabNotebook] = []

    def make(cells=(), name: str | None = None) -> LabNotebook:
        n = next(_NB_IDS)
        if name is None:
            stem = re.sub(r"[^\w]+", "_", request.node.name)[:60]
            name = f"{stem}_{n}.ipynb"
        jupyterlab.write_notebook(name, list(cells) or [""])
        nb = LabNotebook(page, jupyterlab, name, workspace=f"w{n}")
        opened.append(nb)
        return nb.open()

    yield make
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        print("---- jupyterlab log (tail) ----\n" + jupyterlab.log(60))
    for nb in opened:
        nb.close()


@pytest.fixture
def requests_log(page):
    """URLs the page requests that leave it (blob:/data: never do: the chart runtime loads from a Blob URL)."""
    seen: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(("blob:", "data:")) else seen.append(req.url))
    return seen
