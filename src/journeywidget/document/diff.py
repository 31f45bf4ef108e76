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


def diff_documents(a: dict, b: dict) -> list[Change]:
    """Changes that turn document ``a`` into document ``b``."""
    out: list[Change] = []
    for key in TOP_LEVEL_FIELDS:
        if a[key] != b[key]:
            if key == "title":
                text = f"renamed journey {a['title']!r} to {b['title']!r}"
                out.append(Change("renamed", "journey", a["id"], text, key, a[key], b[key]))
            else:
                text = f"changed journey {key} from {_short(a[key])} to {_short(b[key])}"
                out.append(Change("changed", "journey", a["id"], text, key, a[key], b[key]))
    stage_names = {s["id"]: s["name"] for s in a["stages"]} | {s["id"]: s["name"] for s in b["stages"]}
    lane_names = {x["id"]: x["title"] or x["kind"] for x in a["lanes"] + b["lanes"]}
    for coll, kind in COLLECTION_KIND.items():
        ai = {it["id"]: it for it in a[coll]}
        bi = {it["id"]: it for it in b[coll]}
        for item_id, it in ai.items():
            if item_id not in bi:
                out.append(Change("removed", kind, item_id, f"removed {kind} {display_name(it)!r}"))
        for item_id, it in bi.items():
            if item_id not in ai:
                where = f" to {stage_names.get(it['stage'], it['stage'])}" if "stage" in it else ""
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
                    text = f"changed {field} of {kind} {name!r} from {_short(before[field])} to {_short(after[field])}"
                    out.append(Change("changed", kind, item_id, text, field, before[field], after[field]))
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
                out.extend(_moved_items(a, coll, kind, order_a, order_b2, "within its stage"))
        return out
    order_a = [it["id"] for it in a[coll] if it["id"] in common]
    order_b = [it["id"] for it in b[coll] if it["id"] in common]
    if order_a == order_b:
        return []
    return _moved_items(a, coll, kind, order_a, order_b, None)


def _moved_items(doc: dict, coll: str, kind: str, order_a: list, order_b: list, scope: str | None) -> list[Change]:
    """Name the fewest items whose move explains the new order (those off the longest common subsequence)."""
    keep = _lcs(order_a, order_b)
    names = {it["id"]: display_name(it) for it in doc[coll]}
    out = []
    for item_id in order_b:
        if item_id in keep:
            continue
        pa, pb = order_a.index(item_id) + 1, order_b.index(item_id) + 1
        where = f" {scope}" if scope else ""
        text = f"moved {kind} {names[item_id]!r}{where} from position {pa} to {pb}"
        out.append(Change("reordered", kind, item_id, text, "position", pa, pb))
    return out


def _lcs(a: list, b: list) -> set:
    n, m = len(a), len(b)
    if n * m > 4_000_000:  # very long lists: fall back to "everything moved"
        return set()
    dp = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            dp[i][j] = dp[i + 1][j + 1] + 1 if a[i] == b[j] else max(dp[i + 1][j], dp[i][j + 1])
    i = j = 0
    keep = set()
    while i < n and j < m:
        if a[i] == b[j]:
            keep.add(a[i])
            i += 1
            j += 1
        elif dp[i + 1][j] >= dp[i][j + 1]:
            i += 1
        else:
            j += 1
    return keep
