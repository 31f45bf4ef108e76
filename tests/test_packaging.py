"""Packaging: the wheel and the sdist carry the built front end; lint; import cost."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLE = "journeywidget/static/widget.js"
BUNDLE_CSS = "journeywidget/static/widget.css"
STANDALONE = "journeywidget/static/standalone.js"  # the standalone HTML page's script


def _run(cmd: list[str], cwd: Path = REPO_ROOT, timeout: float = 900, **kw):
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )
    if proc.returncode != 0:
        out = "\n".join((proc.stdout + proc.stderr).splitlines()[-120:])
        pytest.fail(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out}", pytrace=False)
    return proc


def _build_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("HATCH_JUPYTER_BUILDER_SKIP_NPM", None)
    env.pop("SKIP_JUPYTER_BUILDER", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert BUNDLE in names, sorted(n for n in names if "static" in n)
        assert BUNDLE_CSS in names
        assert STANDALONE in names, sorted(n for n in names if "static" in n)
        assert "journeywidget/static/loader.js" in names  # every widget's _esm (widget/runtime.py)
        assert zf.getinfo(BUNDLE).file_size > 1000, "the bundle is suspiciously small"
        assert zf.getinfo(STANDALONE).file_size > 1000, "the standalone page script is suspiciously small"
        assert "journeywidget/__init__.py" in names
        assert "journeywidget/schema/journey.schema.json" in names
        assert "journeywidget/core/vocabulary.json" in names  # read by Python, bundled into the page
        assert "journeywidget/core/limits.json" in names  # the bounds of an edit, read by both too
        assert any(n.startswith("journeywidget/templates/") and n.endswith(".json") for n in names)
        bad = [n for n in names if "node_modules" in n or n.startswith(("tests/", "js/"))]
        assert not bad, bad[:10]
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(f"{dist_info}/METADATA"))
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
    assert meta["Name"] == "journeywidget"
    assert meta["Requires-Python"] == ">=3.10"
    requires = meta.get_all("Requires-Dist")
    for dep in ("anywidget", "ipywidgets", "traitlets", "pandas", "altair", "pydantic", "narwhals"):
        assert any(r.startswith(dep) for r in requires), (dep, requires)
    assert set(meta.get_all("Provides-Extra")) >= {"duckdb", "polars", "spark", "export", "excel"}
    assert "journeywidget = journeywidget.cli:main" in entry_points


@pytest.mark.slow
def test_pip_wheel_contains_the_bundle(tmp_path):
    """`pip wheel .` runs the jupyter-builder hook (npm ci/install + npm run build)."""
    _run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", str(tmp_path)],
        env=_build_env(),
    )
    wheels = list(tmp_path.glob("journeywidget-*.whl"))
    assert len(wheels) == 1, list(tmp_path.iterdir())
    _check_wheel(wheels[0])


@pytest.mark.slow
def test_sdist_is_self_contained(tmp_path):
    """`python -m build`: sdist with sources + bundle, then a wheel built from that sdist."""
    pytest.importorskip("build")
    _run([sys.executable, "-m", "build", "--outdir", str(tmp_path)], env=_build_env())
    sdists = list(tmp_path.glob("journeywidget-*.tar.gz"))
    wheels = list(tmp_path.glob("journeywidget-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list(tmp_path.iterdir())
    with tarfile.open(sdists[0]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert f"src/{BUNDLE}" in names
    assert f"src/{BUNDLE_CSS}" in names
    assert f"src/{STANDALONE}" in names
    assert "js/package.json" in names
    assert "js/scripts/schema-types.mjs" in names  # `npm run build` writes the types from the schema
    assert "scripts/hatch_npm.py" in names  # the build hook needs it
    assert "pyproject.toml" in names
    assert not [n for n in names if "node_modules" in n or n.startswith(".venv/")]
    _check_wheel(wheels[0])


def test_static_dir_is_git_ignored():
    if not (REPO_ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    proc = subprocess.run(
        ["git", "check-ignore", "-q", "src/journeywidget/static/widget.js"],
        cwd=REPO_ROOT,
        capture_output=True,
    )
    assert proc.returncode == 0, "src/journeywidget/static/ must be git-ignored (it is built)"
    tracked = subprocess.run(
        ["git", "ls-files", "src/journeywidget/static"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert tracked.strip() == "", f"built files are committed: {tracked}"


def test_editable_install_has_the_bundle():
    """The test environment was installed with the hook: the bundle is next to the code."""
    import journeywidget

    static = Path(journeywidget.__file__).parent / "static"
    assert (static / "widget.js").is_file(), f"{static}/widget.js missing: run pip install -e ."
    assert (static / "widget.css").is_file()
    assert (static / "standalone.js").is_file()


def test_ruff_lint():
    venv_ruff = Path(sys.executable).parent / "ruff"  # the test extra's pinned ruff first
    ruff = str(venv_ruff) if venv_ruff.exists() else shutil.which("ruff")
    if not ruff:
        pytest.fail("ruff is not installed (it is in the test extra)", pytrace=False)
    proc = subprocess.run(
        [ruff, "check", "--no-cache", "--output-format", "concise", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"ruff check found problems:\n{proc.stdout}{proc.stderr}"


def test_import_is_lazy_and_fast():
    """`import journeywidget` must not pull in the heavy stack (its time: benchmarks/import_time.py)."""
    code = (
        "import sys; import journeywidget; "
        "heavy = [m for m in ('pandas', 'altair', 'pydantic', 'anywidget', 'ipywidgets', "
        "'numpy', 'narwhals', 'polars', 'duckdb', 'pyspark') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = _run([sys.executable, "-c", code]).stdout.split("\n")
    heavy = out[0]
    assert heavy == "", f"import journeywidget loaded heavy modules: {heavy}"
