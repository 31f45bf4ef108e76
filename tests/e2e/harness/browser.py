"""Launching Debian's chromium with Playwright for Python.

Playwright cannot download its own browser builds here, so we always point it
at the system chromium (``apt-get install chromium``). Never run
``playwright install``.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    """Path of the system chromium, or None. ``JW_CHROMIUM`` overrides."""
    override = os.environ.get("JW_CHROMIUM")
    if override:
        return override
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def launch(playwright, executable_path: str):
    """A headless chromium; ``JW_HEADED=1`` with a DISPLAY shows the window."""
    args = list(CHROMIUM_ARGS)
    headless = True
    if os.environ.get("JW_HEADED") == "1" and os.environ.get("DISPLAY"):
        args.remove("--headless")
        headless = False
    return playwright.chromium.launch(
        executable_path=executable_path,
        args=args,
        headless=headless,
        # Debian's /usr/bin/chromium is a shell wrapper; give it time on a busy machine.
        timeout=60_000,
    )
