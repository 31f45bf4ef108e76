"""Shared test configuration for journeywidget.

- Marks: everything under tests/e2e gets ``e2e``; tests using the JupyterLab
  fixtures also get ``jupyter``; tests using ``spark_session``-like fixtures
  should mark themselves ``spark``.
- Order: unit tests first, then standalone browser tests, then JupyterLab
  tests. Playwright's sync API leaves an asyncio loop marked as running on the
  main thread while the browser is open, so no non-browser test may run after
  the first browser test.
- Hypothesis: no deadlines (a 2-core CI machine is slow and noisy); the ``ci``
  profile is loaded when CI is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
E2E_DIR = REPO_ROOT / "tests" / "e2e"
JUPYTER_FIXTURES = {"jupyterlab", "lab_notebook"}

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

try:
    from hypothesis import HealthCheck, settings

    settings.register_profile("dev", deadline=None)
    settings.register_profile(
        "ci",
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("ci" if os.environ.get("CI") else "dev")
except ImportError:  # hypothesis is in the test extra; tolerate running without it
    pass


def _in(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _rank(item: pytest.Item) -> int:
    if item.get_closest_marker("jupyter"):
        return 2
    if item.get_closest_marker("e2e"):
        return 1
    return 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _in(Path(str(item.path)), E2E_DIR):
            item.add_marker(pytest.mark.e2e)
        if JUPYTER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.jupyter)
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_rank)  # stable: keeps file order within each group


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(params=["kernels", "numpy"])
def kernels(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the compiled journey kernels (data/kernels.py, numba) and with the
    vectorised numpy path; the kernel run is skipped where numba is not installed."""
    if request.param == "numpy":
        monkeypatch.setenv("JOURNEYWIDGET_KERNELS", "numpy")
    else:
        monkeypatch.delenv("JOURNEYWIDGET_KERNELS", raising=False)
        from journeywidget.data import kernels as k

        if not k.enabled():
            pytest.skip("numba is not installed (the 'fast' extra)")
    return request.param
