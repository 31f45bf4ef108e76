"""The docstring examples of every module in the package run (and every module but a few
has some)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import journeywidget

MODULES = sorted(
    ["journeywidget"]
    + [m.name for m in pkgutil.walk_packages(journeywidget.__path__, "journeywidget.")
       if m.name != "journeywidget.__main__"]  # importing it runs the command line
)
#: Modules without examples: the command line and the engine that needs a Spark session.
NO_EXAMPLES = {"journeywidget.cli", "journeywidget.data.spark_engine"}


def test_every_module_is_listed():
    assert len(MODULES) > 40 and "journeywidget.data.frames" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    if name == "journeywidget.data._kernels_nb":
        pytest.importorskip("numba", reason="the compiled kernels need numba (the 'fast' extra)")
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module) if t.examples]
    if name not in NO_EXAMPLES:
        assert tests, f"{name} has no docstring example"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
