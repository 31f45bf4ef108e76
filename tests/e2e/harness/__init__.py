"""Browser test infrastructure for journeywidget (used by tests/e2e/conftest.py).

- :mod:`harness.browser`: Debian chromium through Playwright for Python.
- :mod:`harness.standalone`: a widget's ES module rendered in a plain page,
  its model bridged to a real Python widget instance (no Jupyter involved).
- :mod:`harness.jupyterlab`: a real JupyterLab 4 server and notebook helpers.
"""

from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = E2E_DIR.parent.parent
STATIC_DIR = REPO_ROOT / "src" / "journeywidget" / "static"
BUNDLE_JS = STATIC_DIR / "widget.js"
BUNDLE_CSS = STATIC_DIR / "widget.css"
