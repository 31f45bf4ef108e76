"""The docstring examples in the package run."""

import doctest
import importlib

import pytest

MODULES = [
    "journeywidget", "journeywidget.errors", "journeywidget.ids", "journeywidget.items",
    "journeywidget.model", "journeywidget.guidance", "journeywidget.catalog", "journeywidget.widget",
    "journeywidget.datasets", "journeywidget._atomic", "journeywidget.export.limits", "journeywidget.export.tables",
    "journeywidget.export.mermaid",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
