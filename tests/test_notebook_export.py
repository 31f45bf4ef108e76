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


def _run(tmp_path, store_widget_state):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(CODE))
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
    output = nb.cells[0].outputs[-1]
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
    assert "text/html" in output["data"] or "image/svg+xml" in output["data"]
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
    assert {"application/vnd.jupyter.widget-view+json", "text/html", "image/svg+xml"} <= set(data)


def test_read_only_widget_refuses_page_undo():
    import journeywidget as jw

    j = jw.Journey.from_template("ecommerce-purchase")
    w = j.widget(editable=False)
    j.add_stage("Extra")
    w._on_page_msg(w, {"type": "undo"})
    assert "extra" in j and w._error
