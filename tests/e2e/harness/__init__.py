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


def retype(page, field, text: str) -> None:
    """Replace the text of an editable field as a person does: click, select all, type, Enter."""
    field.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def use_scheme(page, scheme: str, width: int = 1500, height: int = 900) -> None:
    """A viewport and a light or dark colour scheme (dark: a dark page around the map)."""
    page.set_viewport_size({"width": width, "height": height})
    page.emulate_media(color_scheme=scheme)
    if scheme == "dark":
        page.evaluate("() => { document.body.style.background = '#0f1115'; }")
