"""Guidance: what a good journey map still lacks, with a hint for each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..core.vocabulary import CHANNELS

__all__ = ["Suggestion", "check"]


@dataclass(frozen=True)
class Suggestion:
    """Something the map lacks: a ``code``, the item it is about (``target`` id, or None), a message and a hint."""

    code: str
    target: str | None
    message: str
    hint: str
    severity: str = "warning"

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}"


def check(doc: dict) -> list[Suggestion]:
    """List what the document still lacks.

    >>> import journeywidget as jw
    >>> [s.code for s in jw.Journey("Empty").check()]
    ['no-persona', 'no-goals', 'no-stages']
    """
    out: list[Suggestion] = []
    if not doc["personas"]:
        out.append(Suggestion(
            "no-persona", None, "The map has no persona.",
            "Add the customer it is for: j.add_persona('Maria, first-time buyer', goals=[...]). "
            "Maps differ per persona; a persona with a segment can be bound to data.",
        ))
    if not doc["goals"]:
        out.append(Suggestion(
            "no-goals", None, "The map has no goals or KPIs.",
            "Say what the organisation wants to improve: j.add_goal('Checkout conversion', target=60, unit='%').",
        ))
    if not doc["stages"]:
        out.append(Suggestion(
            "no-stages", None, "The map has no stages.",
            "Add stages along the timeline, e.g. awareness, consideration, purchase, retention, advocacy — "
            "or start from a template: jw.templates().",
        ))
    tps_by_stage = Counter(t["stage"] for t in doc["touchpoints"])
    for s in doc["stages"]:
        if tps_by_stage[s["id"]] == 0:
            out.append(Suggestion(
                "stage-without-touchpoints", s["id"], f"Stage {s['name']!r} has no touchpoints.",
                f"Where does the customer meet you in {s['name']!r}? j.add_touchpoint(name, stage={s['id']!r}, channel=...).",
            ))
    for t in doc["touchpoints"]:
        if not t["channel"]:
            out.append(Suggestion(
                "touchpoint-without-channel", t["id"], f"Touchpoint {t['name']!r} has no channel.",
                f"Set one: j.update({t['id']!r}, channel='web') ({', '.join(CHANNELS)}, or your own).",
            ))
        if t["emotion"] is None:
            lo, hi = doc["emotion_scale"]["min"], doc["emotion_scale"]["max"]
            out.append(Suggestion(
                "touchpoint-without-emotion", t["id"], f"Touchpoint {t['name']!r} has no emotion.",
                f"How does the customer feel here? j.update({t['id']!r}, emotion=...) on the {lo}..{hi} scale, "
                "or bind survey data with bind_feedback().",
            ))
        if t["moment_of_truth"] and not t["metric"]:
            out.append(Suggestion(
                "moment-of-truth-without-metric", t["id"], f"Moment of truth {t['name']!r} has no metric.",
                f"Quantify it: j.update({t['id']!r}, metric='checkout conversion') or the id of one of the map's goals.",
            ))
    if doc["touchpoints"] and not any(t["moment_of_truth"] for t in doc["touchpoints"]):
        out.append(Suggestion(
            "no-moment-of-truth", None, "No touchpoint is flagged as a moment of truth.",
            "Flag the moments where customers feel lost, happy or angry: j.update(id, moment_of_truth=True, metric=...).",
            "info",
        ))
    for coll, kind, key in (("stages", "stage", "name"), ("touchpoints", "touchpoint", "name"),
                            ("personas", "persona", "name"), ("goals", "goal", "name")):
        names = Counter(str(it[key]).strip().casefold() for it in doc[coll])
        for it in doc[coll]:
            n = names[str(it[key]).strip().casefold()]
            if n > 1:
                out.append(Suggestion(
                    "duplicate-name", it["id"], f"{n} {coll} are named {it[key]!r}.",
                    f"Give each {kind} a distinct name so charts and reports can tell them apart: "
                    f"j.update({it['id']!r}, name=...).",
                ))
    return out
