"""A map in a notebook output: the live widget and a static picture that follows the edits.

Where widget state is missing (GitHub, ``jupyter nbconvert`` of a notebook saved
without it, which is JupyterLab's default) a widget output shows nothing; so a map
displays as two outputs:

1. the live map (``application/vnd.jupyter.widget-view+json`` and a line of text);
2. its static picture: ``image/svg+xml`` (stored once), with a widget view of the
   kernel's shared runtime (widget/runtime.py), whose view is empty. Live, the
   empty view wins and nothing shows; without widget state the picture shows.

The picture has a display id: after edits (and segment switches) it is redrawn,
1.5 s after the last change (longer for maps whose picture takes long to draw:
eight times the last drawing time) and only when something changed, and sent with
``update_display``, so the notebook, when saved, holds the map as it is. (Updating
the live map's own output instead would make JupyterLab rebuild the map's view on
every update, losing its scroll, zoom and focus.)

>>> import journeywidget as jw
>>> w = jw.JourneyWidget(jw.Journey.from_template("saas-onboarding"))
>>> live, picture = w._picture.bundles()
>>> sorted(live), sorted(picture)
(['application/vnd.jupyter.widget-view+json', 'text/plain'], ['application/vnd.jupyter.widget-view+json', 'image/svg+xml', 'text/plain'])
"""

from __future__ import annotations

import asyncio
import time
import uuid
import warnings
import weakref
from typing import Any

__all__ = ["StaticPicture", "DELAY_S"]

#: Seconds after the last change before the picture is redrawn.
DELAY_S = 1.5
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _view(model_id: str) -> dict:
    return {"version_major": 2, "version_minor": 0, "model_id": model_id}


class StaticPicture:
    """The static picture of one widget's map in the notebook's outputs, kept current."""

    def __init__(self, widget: Any) -> None:
        self._widget = weakref.ref(widget)
        self.display_id = f"journeywidget-{uuid.uuid4().hex}"
        self.shown = False
        self.updates = 0  # pictures sent with update_display (tests)
        self._drawn: tuple = ()
        self._timer: Any = None
        self.delay = DELAY_S  # seconds from the last change to the redraw

    # -- what is displayed ---------------------------------------------------------

    def signature(self) -> tuple:
        """What the picture shows: the synced revision and the metrics (compared by identity)."""
        w = self._widget()
        return () if w is None else (w._rev, w._metrics)

    def svg(self) -> str:
        from ..export import mimebundle_fallback

        w = self._widget()
        return mimebundle_fallback(w.journey, metrics=w._metrics or None, png=False, html=False)["image/svg+xml"]

    def bundles(self) -> tuple[dict, dict]:
        """(the live map's bundle, the picture's bundle)."""
        from .runtime import picture_stand_in

        w = self._widget()
        j = w.journey
        live = {WIDGET_VIEW: _view(w.model_id), "text/plain": repr(w)}
        picture = {
            WIDGET_VIEW: _view(picture_stand_in(w).model_id),
            "image/svg+xml": self.svg(),
            "text/plain": f"Customer journey map {j.title!r}: {len(j.stages)} stages, {len(j.touchpoints)} "
                          "touchpoints (a static picture; run the notebook for the live map)",
        }
        return live, picture

    def display(self) -> None:
        """Show the live map and its picture (the widget's ``_ipython_display_``)."""
        from IPython.display import display

        live, picture = self.bundles()
        self._drawn = self.signature()
        display(live, raw=True)
        display(picture, raw=True, display_id=self.display_id)
        self.shown = True

    # -- keeping it current ------------------------------------------------------------

    def schedule(self) -> None:
        """Redraw the picture ``delay`` seconds after the last change (in a running kernel)."""
        if not self.shown:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script): no notebook output to update
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.delay, self.refresh)

    def refresh(self) -> bool:
        """Send the picture again if the map or its numbers changed; returns whether it did."""
        self._timer = None
        w = self._widget()
        if w is None or not self.shown or w.comm is None:
            return False
        sig = self.signature()
        if len(sig) == len(self._drawn) and all(a is b or a == b for a, b in zip(sig, self._drawn)):
            return False
        try:
            from IPython.display import update_display

            t0 = time.perf_counter()
            _live, picture = self.bundles()
            self.delay = max(DELAY_S, 8 * (time.perf_counter() - t0))  # big maps: redraw less often
            update_display(picture, raw=True, display_id=self.display_id)
        except Exception as err:  # noqa: BLE001 - a picture must never break the live map
            warnings.warn(f"journeywidget: the map's static picture was not updated ({err!r})",
                          RuntimeWarning, stacklevel=2)
            return False
        self._drawn = sig
        self.updates += 1
        return True

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
