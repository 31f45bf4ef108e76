"""Notebook exports never come out blank: the widget's display bundle carries a static map."""

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
nbconvert = pytest.importorskip("nbconvert")

CODE = """\
import journeywidget as jw
j = jw.Journey.from_template("ecommerce-purchase")
j.update(j.touchpoints[0].id, name="<b>Not bold</b> & co")
w = j.widget()
w"""


def _pictures(html: str) -> list[str]:
    """The SVG pictures nbconvert put into the page (as data: URLs of <img>)."""
    import base64
    import re

    return [base64.b64decode(m).decode("utf-8")
            for m in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]


def _run(tmp_path, store_widget_state, *more_cells):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(CODE))
    for source in more_cells:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", store_widget_state=store_widget_state,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    html, _ = nbconvert.HTMLExporter().from_filename(str(path))
    return nb, html


@pytest.mark.slow
def test_nbconvert_without_widget_state_shows_static_map(tmp_path):
    nb, html = _run(tmp_path, store_widget_state=False)
    assert "widgets" not in nb.metadata or not nb.metadata["widgets"]
    live, picture = nb.cells[0].outputs
    assert set(live["data"]) == {"application/vnd.jupyter.widget-view+json", "text/plain"}
    # the picture is stored once, as SVG, with an (empty) widget view that wins when live
    assert set(picture["data"]) == {"application/vnd.jupyter.widget-view+json", "image/svg+xml", "text/plain"}
    assert picture["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] != \
        live["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert "E-commerce purchase" in live["data"]["text/plain"]
    (svg,) = _pictures(html)
    html = svg
    for name in ("Browse", "Checkout", "Delivery", "Returns &amp; support"):
        assert name in html, name
    # customer text is text, never markup
    assert "<b>Not bold</b>" not in html
    assert "&lt;b&gt;Not bold&lt;/b&gt;" in html


@pytest.mark.slow
def test_nbconvert_with_widget_state_keeps_the_live_widget(tmp_path):
    nb, html = _run(tmp_path, store_widget_state=True)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = [m for m in state.values() if "_doc" in m.get("state", {})]
    assert len(models) == 1
    assert models[0]["state"]["_doc"]["title"].startswith("E-commerce purchase")
    assert "application/vnd.jupyter.widget-state+json" in html
    # the front end is saved once, in the shared runtime the map references
    ref = models[0]["state"]["_runtime"]
    assert ref.startswith("IPY_MODEL_") and "render" in state[ref[len("IPY_MODEL_"):]]["state"]["code"]
    assert len(models[0]["state"]["_esm"]) < 4096


@pytest.mark.slow
def test_the_saved_picture_shows_the_map_as_edited(tmp_path):
    nb, html = _run(tmp_path, False, """\
import asyncio
j.update("cart-page", name="Basket <i>edited</i>")
j.add_stage("Loyalty club")
await asyncio.sleep(2.5)  # the picture follows 1.5 s after the last edit""")
    picture = nb.cells[0].outputs[-1]["data"]["image/svg+xml"]
    assert "Basket &lt;i&gt;edited&lt;/i&gt;" in picture and "Loyalty club" in picture
    (shown,) = _pictures(html)  # what nbconvert shows
    assert "Basket &lt;i&gt;edited&lt;/i&gt;" in shown and "Loyalty club" in shown
    assert "Cart page" not in shown and "<i>edited</i>" not in shown


def test_widget_exports_carry_metrics_and_overlays(tmp_path):
    import journeywidget as jw

    w = jw.Journey.from_template("ecommerce-purchase").widget()
    events = jw.datasets.events(w.journey, customers=1_000, seed=4)
    w.bind_events(events, customer="customer_id", time="timestamp", touchpoint="event")
    w.overlay = "funnel"
    svg = w.to_svg()
    assert "Stage funnel" in svg and "Browse" in svg
    first_stage = w.metrics.stages.iloc[0]
    assert f"{int(first_stage['customers']):,}" in svg
    html = w.to_html(tmp_path / "w.html")
    assert (tmp_path / "w.html").read_text(encoding="utf-8") == html
    data, _meta = w._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/svg+xml"} <= set(data)
    assert "text/html" not in data  # the picture is stored once


def test_read_only_widget_refuses_page_undo():
    import journeywidget as jw

    j = jw.Journey.from_template("ecommerce-purchase")
    w = j.widget(editable=False)
    j.add_stage("Extra")
    w._on_page_msg(w, {"type": "undo"})
    assert "extra" in j and w._error


def test_the_picture_is_redrawn_only_when_the_map_or_its_numbers_changed(monkeypatch):
    import IPython.display

    import journeywidget as jw
    from samples import bound_widget

    shown, updated = [], []
    monkeypatch.setattr(IPython.display, "display", lambda data, **kw: shown.append((data, kw)))
    monkeypatch.setattr(IPython.display, "update_display", lambda data, **kw: updated.append((data, kw)))
    w = bound_widget()
    w._ipython_display_()
    (live, _), (picture, kw) = shown
    assert set(live) == {"application/vnd.jupyter.widget-view+json", "text/plain"}
    assert kw["display_id"] == w._picture.display_id and "image/svg+xml" in picture
    assert w._picture.refresh() is False and updated == []  # nothing changed since
    w.journey.update("cart-page", name="Basket")
    assert w._picture.refresh() is True
    assert "Basket" in updated[-1][0]["image/svg+xml"] and updated[-1][1]["display_id"] == kw["display_id"]
    assert w._picture.refresh() is False
    w.segment = w.metrics.segment_values[0]  # other numbers, same document
    assert w._picture.refresh() is True and len(updated) == 2
    w.journey.update("cart-page", emotion=2)
    w.close()
    assert w._picture.refresh() is False  # a closed widget's picture stays as it was
    shown.clear()
    w._ipython_display_()
    assert shown == [({"text/plain": repr(w)}, {"raw": True})]
    assert repr(jw.JourneyWidget(jw.Journey("Tiny"))) == "JourneyWidget('Tiny': 0 stages, 0 touchpoints)"
