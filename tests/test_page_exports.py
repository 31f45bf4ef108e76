"""The files Python makes for the page's Export menu (widget/page_exports.py), without a browser.

tests/e2e/test_export_menu.py clicks the menu in Chromium; here the messages and the
files are checked one by one, including the answers without vl-convert.
"""

from __future__ import annotations

import builtins
import json
import re
from pathlib import Path

import pytest

import journeywidget as jw
from journeywidget.export import html as html_mod
from journeywidget.widget.page_exports import available_formats, page_export
from samples import bound_widget

STATIC = Path(jw.__file__).resolve().parent / "static"


@pytest.fixture
def widget():
    w = bound_widget(seed=2)
    yield w
    w.close()


def replies(w, fmt):
    sent = []
    original = w.send
    w.send = lambda content, buffers=None: sent.append((content, buffers))  # type: ignore[method-assign]
    try:
        w._on_page_msg(w, {"type": "export", "format": fmt, "rid": 7})
    finally:
        w.send = original  # type: ignore[method-assign]
    return sent


def test_each_format_is_the_map_as_shown(widget):
    widget.journey.update("cart-page", name="Basket")
    widget.segment = widget.metrics.segment_values[1]
    for fmt, start in (("svg", b"<svg"), ("csv", b"stage,touchpoint"), ("html", b"<!DOCTYPE html>"),
                       ("png", b"\x89PNG")):
        ((content, buffers),) = replies(widget, fmt)
        assert content["ok"] and content["rid"] == 7 and content["format"] == fmt
        assert content["filename"] == f"ecommerce-purchase.{fmt}"
        assert bytes(buffers[0]).startswith(start), fmt
    svg = page_export(widget, "svg")[1].decode()
    assert "Basket" in svg and "Stage funnel" in svg  # the overlay shown is in the picture
    seg = widget.metrics.to_payload()["touchpoints"]
    first = next(iter(seg.values()))
    assert f"{first['customers']:,}" in svg  # the current segment's numbers
    page = page_export(widget, "html")[1].decode()
    state = json.loads(re.search(r'id="jw-data">(.*?)</script>', page, re.S).group(1))["state"]
    assert state["segment"] == widget.segment and state["_exports"] == [] and "_runtime" not in state


def test_a_format_python_does_not_make_is_refused_with_the_list(widget):
    ((content, buffers),) = replies(widget, "pdf")
    assert content["ok"] is False and buffers is None
    assert "pdf" in content["error"] and "svg" in content["error"]


def test_without_the_export_extra(widget, monkeypatch):
    real_import = builtins.__import__

    def no_vl_convert(name, *args, **kwargs):
        if name == "vl_convert":
            raise ImportError("No module named 'vl_convert'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_vl_convert)
    monkeypatch.setattr("journeywidget.export.vlconvert.has_vl_convert", lambda: False)
    assert "png" not in available_formats()
    head, data = page_export(widget, "png")  # the page draws the PNG from this SVG
    assert head["rasterize"] is True and head["mime"] == "image/svg+xml" and data.startswith(b"<svg")
    assert "journeywidget[export]" in head["note"]  # the overlay chart could not be drawn in
    head, data = page_export(widget, "svg")
    assert "journeywidget[export]" in head["note"] and data.startswith(b"<svg")


def test_the_widget_lists_what_python_makes():
    w = jw.JourneyWidget(jw.Journey.from_template("saas-onboarding"))
    assert set(w._exports) >= {"html", "svg", "csv"}
    w.close()


def test_the_standalone_script_survives_being_inlined():
    # Python writes every "</" of the page's module as "<\\/" so no "</script>" ends it
    # early; in a regular expression literal that would change the code, so there is none.
    assert "</" not in (STATIC / "standalone.js").read_text(encoding="utf-8")
    assert "</" not in html_mod._bootstrap().replace("<\\/", "")
