"""The front end's unit tests (vitest, js/test/**/*.test.ts) run from pytest.

So one pytest summary covers the Python tests, the JS unit tests and the
browser tests. ``npm ci`` runs first when js/node_modules is missing or older
than the lockfile (scripts/test.sh normally did it already).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
JS = REPO_ROOT / "js"

sys.path.insert(0, str(REPO_ROOT / "scripts"))
try:
    from hatch_npm import _node_modules_current, npm_install
finally:
    sys.path.pop(0)


def _tail(text: str, lines: int = 200) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ, CI="true", FORCE_COLOR="0", NO_COLOR="1", NODE_NO_WARNINGS="1")
    return subprocess.run(
        cmd,
        cwd=JS,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def npm() -> str:
    if not (JS / "package.json").exists():
        pytest.fail("js/package.json is missing", pytrace=False)
    exe = shutil.which("npm")
    if not exe:
        pytest.fail("npm is not on PATH (Node.js >= 18 is needed for the JS tests)", pytrace=False)
    if not _node_modules_current(JS):
        try:
            npm_install(JS, exe)
        except subprocess.CalledProcessError as exc:
            pytest.fail(f"installing js/ dependencies failed: {exc}", pytrace=False)
    return exe


@pytest.mark.slow
def test_vitest(npm):
    proc = _run([npm, "test", "--silent", "--", "--reporter=default"], timeout=600)
    output = proc.stdout + proc.stderr
    print(_tail(output, 60))  # shown with -rP / on failure
    assert proc.returncode == 0, f"vitest failed (exit {proc.returncode}):\n{_tail(output)}"
    assert re.search(r"Tests\s+\d+ passed", output), f"vitest ran no tests:\n{_tail(output)}"


@pytest.mark.slow
def test_typecheck(npm):
    """`tsc --noEmit` over js/src and js/test, after writing the types from the JSON Schema."""
    proc = _run([npm, "run", "typecheck", "--silent"], timeout=600)
    output = proc.stdout + proc.stderr
    print(_tail(output, 60))
    assert proc.returncode == 0, f"tsc found type errors (exit {proc.returncode}):\n{_tail(output)}"
    generated = JS / "src" / "model" / "journey.ts"
    assert generated.is_file(), "npm run typecheck did not write js/src/model/journey.ts from the schema"
    assert "export interface Touchpoint" in generated.read_text(encoding="utf-8")
