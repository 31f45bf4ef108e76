"""The page's buttons that act on the bound data: compute clusters, put a cluster on the map
as a persona, or an opportunity on the map. Every edit goes through the widget's one edit
path, so it can be undone; bad requests come back as an error message, never an exception.

>>> import journeywidget as jw
>>> w = jw.JourneyWidget(jw.Journey.from_template("buying-process"))
>>> run_data_action(w, "clusters", {})[1]
'no event data is bound: call w.bind_events(df, customer=..., time=..., touchpoint=...) first'
"""

from __future__ import annotations

from typing import Any

from ..core.errors import JourneyError


def run_data_action(widget: Any, kind: str, content: dict) -> tuple[Any, str | None]:
    """Run one page request ``kind`` ("clusters", "add_persona_from_cluster",
    "add_opportunity") on ``widget``; returns (the new item's id or None, error or None)."""
    target, text, cluster = content.get("target"), content.get("text"), content.get("cluster")
    if not widget.editable and kind != "clusters":
        return None, "This map is read-only."
    if kind == "add_opportunity" and not (isinstance(target, str) and len(target) <= 100 and (
            text is None or (isinstance(text, str) and len(text) <= 20_000))):
        return None, "add_opportunity needs a target id (text of at most 100 characters) and an optional text"
    if kind == "add_persona_from_cluster" and not (
            isinstance(cluster, int) or (isinstance(cluster, str) and len(cluster) <= 20)):
        return None, "add_persona_from_cluster needs a cluster number"
    try:
        if kind == "clusters":
            k = content.get("k")
            widget._bound_metrics().clusters(int(k) if k not in (None, "") else None)
            return None, None
        if kind == "add_persona_from_cluster":
            return widget.add_persona_from_cluster(cluster), None
        return widget.add_opportunity(target, text), None
    except (JourneyError, ValueError, TypeError) as err:
        return None, str(err)


def put_opportunity(widget: Any, target: str, text: str | None) -> str:
    """``JourneyWidget.add_opportunity``: one undoable edit; returns the holder's id."""
    from ..data.opportunities import opportunity_ops, opportunity_text

    m = widget._bound_metrics()
    if text is None:
        row = next((r for r in m.opportunities().to_dict("records") if r["target"] == target), None)
        if row is None:
            raise JourneyError(f"{target!r} is not among the opportunities of the data; pick a "
                               "target of w.metrics.opportunities(), or pass text=")
        text = opportunity_text(row, m.unit)
    ops, holder = opportunity_ops(widget._journey.snapshot(), target, text)
    widget._journey.apply(ops[0] if len(ops) == 1 else
                          {"op": "batch", "ops": ops, "label": f"added an opportunity at {target}"})
    return holder
