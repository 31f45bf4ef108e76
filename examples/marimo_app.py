"""journeywidget in marimo: `marimo edit examples/marimo_app.py` (or `marimo run`).

marimo shows any anywidget through `mo.ui.anywidget`; the wrapped widget's
`value` is its synced state, and edits on the map land in `widget.journey`.
"""

import marimo

app = marimo.App(width="full")


@app.cell
def _():
    import marimo as mo

    import journeywidget as jw

    return jw, mo


@app.cell
def _(jw, mo):
    journey = jw.Journey.from_template("saas-onboarding")
    events = jw.datasets.events(journey, customers=5_000, seed=0)
    widget = jw.JourneyWidget(journey)
    widget.bind_events(events, customer="customer_id", time="timestamp", touchpoint="event",
                       segment="plan")
    widget.overlay = "funnel"
    view = mo.ui.anywidget(widget)
    view  # noqa: B018 (marimo displays a cell's last expression)
    return journey, view, widget


@app.cell
def _(mo, view, widget):
    # re-runs whenever the map changes in the browser (view.value is the synced state)
    _ = view.value
    selected = widget.selected or "nothing"
    mo.md(f"**{widget.journey.title}** — selected: `{selected}`; "
          f"{len(widget.journey.touchpoints)} touchpoints")
    return


@app.cell
def _(widget):
    widget.metrics.stages  # noqa: B018
    return


if __name__ == "__main__":
    app.run()
