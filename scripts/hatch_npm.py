"""Build function for the hatch ``jupyter-builder`` hook (see pyproject.toml).

Builds the front end in ``js/`` into ``src/journeywidget/static/``:

1. install the npm dependencies: ``npm ci`` when ``js/package-lock.json`` exists
   (reproducible, the lockfile wins; ``npm install --no-save`` if npm ci refuses
   the lockfile), ``npm install`` otherwise. The install is
   skipped when ``js/node_modules`` is already newer than both ``package.json``
   and the lockfile, so repeated editable installs stay fast;
2. ``npm run build`` (esbuild, about a second).

When the project is built from an sdist (a ``PKG-INFO`` file at the root) that
already carries the bundle, nothing is run: the sdist ships the built assets, so
``pip install journeywidget-x.tar.gz`` needs no Node.js.

Set ``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` (or ``SKIP_JUPYTER_BUILDER=1``, which
skips the whole hook) to build the Python package without touching npm.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger("journeywidget.build")

TARGETS = (
    "src/journeywidget/static/widget.js",
    "src/journeywidget/static/charts-runtime.js",
    "src/journeywidget/static/standalone.js",
    "src/journeywidget/static/loader.js",
    "src/journeywidget/static/widget.css",
)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


def _node_modules_current(js: Path) -> bool:
    """npm writes node_modules/.package-lock.json on every install: use it as a stamp."""
    stamp = js / "node_modules" / ".package-lock.json"
    if not stamp.exists():
        return False
    newest_input = max(_mtime(js / "package.json"), _mtime(js / "package-lock.json"))
    return _mtime(stamp) >= newest_input


def _run(cmd: list[str], cwd: Path) -> None:
    print(f"[journeywidget build] $ {' '.join(cmd)}  (in {cwd})", flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def npm_install(js: Path, npm_exe: str) -> None:
    """``npm ci`` when there is a lockfile, else ``npm install``.

    ``npm ci`` refuses a lockfile that does not list every optional platform
    package (for example when the registry lacks one platform's build of
    rollup); then fall back to ``npm install --no-save``, which still installs
    the locked versions and leaves package-lock.json untouched.
    """
    if not (js / "package-lock.json").exists():
        _run([npm_exe, "install", "--no-audit", "--no-fund"], js)
        return
    try:
        _run([npm_exe, "ci", "--no-audit", "--no-fund"], js)
    except subprocess.CalledProcessError:
        print(
            "[journeywidget build] WARNING: `npm ci` refused js/package-lock.json "
            "(out of sync with package.json?); falling back to `npm install --no-save`",
            flush=True,
        )
        _run([npm_exe, "install", "--no-save", "--no-audit", "--no-fund"], js)


def npm_build(
    target_name: str,
    version: str,
    path: str = "js",
    build_cmd: str = "build",
    npm: str | None = None,
) -> None:
    """Called by hatch-jupyter-builder as ``build_function(target_name, version, **kwargs)``.

    ``target_name`` is "wheel" or "sdist", ``version`` "standard" or "editable".
    """
    if os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1":
        print("[journeywidget build] HATCH_JUPYTER_BUILDER_SKIP_NPM=1: not building js/")
        return

    root = Path.cwd()
    js = (root / path).resolve()
    targets = [root / t for t in TARGETS]

    if (root / "PKG-INFO").exists() and all(t.exists() for t in targets):
        print("[journeywidget build] building from an sdist with a prebuilt bundle: npm skipped")
        return
    if not (js / "package.json").exists():
        raise RuntimeError(
            f"journeywidget: no front end to build: {js / 'package.json'} is missing"
        )

    npm_exe = npm or shutil.which("npm")
    if not npm_exe:
        raise RuntimeError(
            "journeywidget: building from source needs Node.js >= 18 and npm on PATH "
            "(they bundle the front end in js/ with esbuild). Install Node.js, or install "
            "a released wheel instead."
        )

    if _node_modules_current(js):
        print("[journeywidget build] js/node_modules is up to date: npm install skipped")
    else:
        npm_install(js, npm_exe)

    if build_cmd:
        _run([npm_exe, "run", build_cmd], js)

    missing = [str(t.relative_to(root)) for t in targets if not t.exists()]
    if missing:
        raise RuntimeError(f"journeywidget: `npm run {build_cmd}` did not produce {missing}")
