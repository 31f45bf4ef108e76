"""The docstring examples in the package run."""

import doctest
import importlib

import pytest

MODULES = [
    "journeywidget", "journeywidget.core.errors", "journeywidget.core.ids",
    "journeywidget.document.schema", "journeywidget.journey", "journeywidget.document.guidance",
    "journeywidget.document.templates", "journeywidget.widget.journey_widget",
    "journeywidget.data.datasets",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
