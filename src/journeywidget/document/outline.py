"""A map as a readable outline: one line per item and per field that is set.

Git's ``textconv`` turns each version of a file into text before a line diff; with this
outline, ``git log -p`` and ``git show`` of a map read as lines about items
("touchpoint 'Checkout page'" moving from one stage to another) instead of JSON.

>>> import journeywidget as jw
>>> j = jw.Journey("Shop", lanes=[]); s = j.add_stage("Decision")
>>> _ = j.add_touchpoint("Checkout page", stage=s, channel="web", pain_points=["Slow"])
>>> print(outline(j.to_dict()).split(chr(10), 1)[1])
stage 'Decision' (decision)
  touchpoint 'Checkout page' (checkout-page) in Decision
    channel: "web"
    pain point: "Slow"
<BLANKLINE>
"""

from __future__ import annotations

import json
from typing import Any

from .diff import ENTRY_NAMES
from .operations import display_name
from .schema import KINDS

__all__ = ["outline"]

_SKIP = {"id", "name", "stage", "lane", "target", "text", "title"}
_DEFAULTS = {
    kind: {name: f.get_default(call_default_factory=True) for name, f in model.model_fields.items() if not f.is_required()}
    for kind, (_, model) in KINDS.items()
}


def _value(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def _fields(kind: str, item: dict, indent: str) -> list[str]:
    defaults = _DEFAULTS[kind]
    lines = []
    for key, value in item.items():
        if key in _SKIP or (key in defaults and value == defaults[key]):
            continue
        if isinstance(value, list) and key in ENTRY_NAMES:
            lines += [f"{indent}{ENTRY_NAMES[key]}: {_value(x)}" for x in value]
        elif isinstance(value, dict) and key != "segment":
            label = "attribute" if key == "attributes" else key.replace("_", " ")
            for k, v in value.items():
                if isinstance(v, list):
                    lines += [f"{indent}{label} {k}: {_value(x)}" for x in v]
                elif v != "":
                    lines.append(f"{indent}{label} {k}: {_value(v)}")
        else:
            lines.append(f"{indent}{key.replace('_', ' ')}: {_value(value)}")
    return lines


def outline(doc: dict) -> str:
    """The canonical document ``doc`` as an outline (stages hold their touchpoints and cards)."""
    on: dict[str, list[dict]] = {}
    for c in doc["comments"]:
        on.setdefault(c["target"], []).append(c)
    lanes = {ln["id"]: ln["title"] or ln["kind"] for ln in doc["lanes"]}
    stages = {s["id"]: s["name"] for s in doc["stages"]}
    lines = [f"journey {doc['title']!r} ({doc['id']}), {doc['journey_type']}, {doc['state'].replace('_', ' ')}, "
             f"emotion scale {doc['emotion_scale']['min']}..{doc['emotion_scale']['max']}"]
    for key in ("description", "tags"):
        if doc[key]:
            lines += [f"  tag: {_value(t)}" for t in doc[key]] if key == "tags" else [f"  description: {_value(doc[key])}"]

    def comments(target: str, indent: str) -> None:
        for c in on.get(target, []):
            state = " (resolved)" if c["resolved"] else ""
            lines.append(f"{indent}comment ({c['id']}) by {c['author'] or 'someone'}{state}: {_value(c['text'])}")
            comments(c["id"], indent + "  ")

    comments(doc["id"], "  ")
    for coll, kind in (("personas", "persona"), ("goals", "goal"), ("lanes", "lane")):
        for it in doc[coll]:
            lines.append(f"{kind} {display_name(it)!r} ({it['id']})")
            lines += _fields(kind, it, "  ")
            comments(it["id"], "  ")
    tps: dict[str, list[dict]] = {}
    for t in doc["touchpoints"]:
        tps.setdefault(t["stage"], []).append(t)
    order = {ln["id"]: i for i, ln in enumerate(doc["lanes"])}
    cards: dict[str, list[dict]] = {}
    for c in sorted(doc["cards"], key=lambda c: order.get(c["lane"], 0)):
        cards.setdefault(c["stage"], []).append(c)
    for s in doc["stages"]:
        lines.append(f"stage {s['name']!r} ({s['id']})")
        lines += _fields("stage", s, "  ")
        comments(s["id"], "  ")
        for t in tps.get(s["id"], []):
            lines.append(f"  touchpoint {t['name']!r} ({t['id']}) in {stages[s['id']]}")
            lines += _fields("touchpoint", t, "    ")
            comments(t["id"], "    ")
        for c in cards.get(s["id"], []):
            lines.append(f"  card ({c['id']}) in lane {lanes.get(c['lane'], c['lane'])!r}: {_value(c['text'])}")
            comments(c["id"], "    ")
    return "\n".join(lines) + "\n"
