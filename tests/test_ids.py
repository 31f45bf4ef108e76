"""Ids and names are defined once and shared with the front end: the same case files
(``tests/data/slug_cases.json``, ``tests/data/readable_name_cases.json``) are checked
here and by the front end's own tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeywidget.core.ids import MAX_ID_LENGTH, is_valid_id, readable_name, slugify, unique_id

DATA = Path(__file__).parent / "data"
SLUGS = json.loads((DATA / "slug_cases.json").read_text(encoding="utf-8"))
NAMES = json.loads((DATA / "readable_name_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", SLUGS["slugs"], ids=lambda c: c["text"][:30])
def test_slugify_reproduces_the_shared_cases(case):
    assert slugify(case["text"], fallback=case["fallback"], max_length=case["max_length"]) == case["slug"]


@pytest.mark.parametrize("value", SLUGS["ids"]["valid"])
def test_valid_ids(value):
    assert is_valid_id(value)


@pytest.mark.parametrize("value", SLUGS["ids"]["invalid"])
def test_invalid_ids(value):
    assert not is_valid_id(value)


def test_every_slug_is_a_valid_id():
    for case in SLUGS["slugs"]:
        assert is_valid_id(case["slug"]), case


def test_id_limits():
    assert is_valid_id("a" * MAX_ID_LENGTH) and not is_valid_id("a" * (MAX_ID_LENGTH + 1))
    assert not is_valid_id(None) and not is_valid_id(3)
    assert unique_id("stage", {"stage", "stage-2"}) == "stage-3"


@pytest.mark.parametrize("case", NAMES["cases"], ids=lambda c: c["key"][:30] or "(empty)")
def test_readable_name_reproduces_the_shared_cases(case):
    assert readable_name(case["key"]) == case["name"]


def test_the_case_files_cover_scripts_and_edge_cases():
    assert any(not c["text"].isascii() for c in SLUGS["slugs"])
    assert any(c["slug"] == c["fallback"] for c in SLUGS["slugs"])  # nothing left to slug
    keys = [c["key"] for c in NAMES["cases"]]
    assert "" in keys and any(not k.isascii() for k in keys) and len(keys) >= 20
