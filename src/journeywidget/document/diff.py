"""Human-readable differences between two journey documents.

>>> import journeywidget as jw
>>> a = jw.Journey("Demo"); _ = a.add_stage("Start")
>>> b = jw.Journey.from_dict(a.to_dict()); _ = b.add_stage("End")
>>> [str(c) for c in diff_documents(a.to_dict(), b.to_dict())]
["added stage 'End'"]
"""

from __future__ import annotations

from dataclasses import dataclass

from .operations import display_name
from .schema import COLLECTION_KIND, TOP_LEVEL_FIELDS
from .sequence import stable_ids

__all__ = ["Change", "diff_documents"]


@dataclass(frozen=True)
class Change:
    """One difference: ``action`` (added, removed, renamed, moved, reordered, changed), the item and a sentence."""

    action: str
    kind: str
    id: str
    text: str
    field: str | None = None
    before: object = None
    after: object = None

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<Change {self.text}>"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


#: list fields, and what one entry is called
ENTRY_NAMES = {
    "pain_points": "pain point", "opportunities": "opportunity", "quotes": "quote", "event_keys": "event key",
    "tags": "tag", "evidence": "evidence", "goals": "goal", "needs": "need", "motivations": "motivation",
    "frustrations": "frustration",
}
#: yes/no fields: what "yes" means
_FLAG = {"moment_of_truth": "a moment of truth", "milestone": "a milestone"}


def _field_changes(kind: str, item_id: str, name: str, field: str, before: object, after: object) -> list[Change]:
    """A changed field in words: added/removed entries of a list, marked/unmarked flags, set/cleared texts."""
    what = f"{kind} {name!r}" if kind != "journey" else "the journey"
    label = field.replace("_", " ")
    if field in ENTRY_NAMES and isinstance(before, list) and isinstance(after, list):
        out = []
        for x in after:
            if x not in before:
                out.append(Change("changed", kind, item_id, f"added {ENTRY_NAMES[field]} {_short(x)} to {what}", field, before, after))
        for x in before:
            if x not in after:
                out.append(Change("changed", kind, item_id, f"removed {ENTRY_NAMES[field]} {_short(x)} from {what}", field, before, after))
        if out:
            return out
        text = f"reordered the {label} of {what}"
    elif field in _FLAG and isinstance(after, bool):
        text = f"{'marked' if after else 'unmarked'} {what} as {_FLAG[field]}"
    elif field == "resolved" and kind == "comment":
        text = f"{'resolved' if after else 'reopened'} comment {name!r}"
    elif field == "emotion_scale":
        text = f"changed the emotion scale from {before['min']}..{before['max']} to {after['min']}..{after['max']}"  # type: ignore[index]
    elif before in ("", None, [], {}):
        text = f"set {label} of {what} to {_short(after)}"
    elif after in ("", None, [], {}):
        text = f"cleared {label} of {what} (was {_short(before)})"
    else:
        text = f"changed {label} of {what} from {_short(before)} to {_short(after)}"
    return [Change("changed", kind, item_id, text, field, before, after)]


def diff_documents(a: dict, b: dict) -> list[Change]:
    """Changes that turn document ``a`` into document ``b``."""
    out: list[Change] = []
    for key in TOP_LEVEL_FIELDS:
        if a[key] != b[key]:
            if key == "title":
                text = f"renamed journey {a['title']!r} to {b['title']!r}"
                out.append(Change("renamed", "journey", a["id"], text, key, a[key], b[key]))
            else:
                out.extend(_field_changes("journey", a["id"], a["title"], key, a[key], b[key]))
    stage_names = {s["id"]: s["name"] for s in a["stages"]} | {s["id"]: s["name"] for s in b["stages"]}
    lane_names = {x["id"]: x["title"] or x["kind"] for x in a["lanes"] + b["lanes"]}
    names = {it["id"]: f"{kind} {display_name(it)!r}" for doc in (a, b) for coll, kind in COLLECTION_KIND.items()
             for it in doc[coll]}
    names[a["id"]] = names[b["id"]] = "the journey"
    for coll, kind in COLLECTION_KIND.items():
        ai = {it["id"]: it for it in a[coll]}
        bi = {it["id"]: it for it in b[coll]}
        for item_id, it in ai.items():
            if item_id not in bi:
                out.append(Change("removed", kind, item_id, f"removed {kind} {display_name(it)!r}"))
        for item_id, it in bi.items():
            if item_id not in ai:
                where = f" to {stage_names.get(it['stage'], it['stage'])}" if "stage" in it else ""
                if kind == "comment":
                    where = f" on {names.get(it['target'], it['target'])}"
                out.append(Change("added", kind, item_id, f"added {kind} {display_name(it)!r}{where}"))
        for item_id, before in ai.items():
            after = bi.get(item_id)
            if after is None or after == before:
                continue
            name = display_name(before)
            for field in before:
                if before[field] == after[field]:
                    continue
                if field == "name":
                    text = f"renamed {kind} {before['name']!r} to {after['name']!r}"
                    out.append(Change("renamed", kind, item_id, text, field, before[field], after[field]))
                elif field == "stage":
                    text = (f"moved {kind} {name!r} from {stage_names.get(before['stage'], before['stage'])} "
                            f"to {stage_names.get(after['stage'], after['stage'])}")
                    out.append(Change("moved", kind, item_id, text, field, before[field], after[field]))
                elif field == "lane":
                    text = (f"moved {kind} {name!r} from lane {lane_names.get(before['lane'])!r} "
                            f"to {lane_names.get(after['lane'])!r}")
                    out.append(Change("moved", kind, item_id, text, field, before[field], after[field]))
                else:
                    out.extend(_field_changes(kind, item_id, name, field, before[field], after[field]))
        out.extend(_order_changes(a, b, coll, kind))
    return out


def _order_changes(a: dict, b: dict, coll: str, kind: str) -> list[Change]:
    """Reorderings among items present in both (within a stage for touchpoints and cards)."""
    common = {it["id"] for it in a[coll]} & {it["id"] for it in b[coll]}
    if kind in ("touchpoint", "card"):
        def groups(doc: dict) -> dict:
            g: dict = {}
            for it in doc[coll]:
                if it["id"] in common:
                    key = (it["stage"], it.get("lane"))
                    g.setdefault(key, []).append(it["id"])
            return g
        ga, gb = groups(a), groups(b)
        out = []
        for key, order_b in gb.items():
            order_a = [i for i in ga.get(key, []) if i in order_b]
            order_b2 = [i for i in order_b if i in order_a]
            if order_a != order_b2:
                stage = {st["id"]: st["name"] for st in b["stages"]}.get(key[0], key[0])
                out.extend(_moved_items(a, coll, kind, order_a, order_b2, f"within {stage}"))
        return out
    order_a = [it["id"] for it in a[coll] if it["id"] in common]
    order_b = [it["id"] for it in b[coll] if it["id"] in common]
    if order_a == order_b:
        return []
    return _moved_items(a, coll, kind, order_a, order_b, None)


def _moved_items(doc: dict, coll: str, kind: str, order_a: list, order_b: list, scope: str | None) -> list[Change]:
    """Name the fewest items whose move explains the new order (those off the longest common subsequence)."""
    keep = stable_ids(order_a, order_b)
    names = {it["id"]: display_name(it) for it in doc[coll]}
    where_a = {x: i for i, x in enumerate(order_a)}
    out = []
    for pb, item_id in enumerate(order_b, start=1):
        if item_id in keep:
            continue
        pa = where_a[item_id] + 1
        where = f" {scope}" if scope else ""
        text = f"moved {kind} {names[item_id]!r}{where} from position {pa} to {pb}"
        out.append(Change("reordered", kind, item_id, text, "position", pa, pb))
    return out
