"""Property tests of the three-way merge: random edit scripts on one base, on two sides.

- Scripts touching disjoint items merge to what applying both scripts in sequence gives
  (the same items, fields and order), without conflicts.
- merge(base, x, base) == x, merge(base, base, x) == x and merge(base, x, x) == x, exactly.
- Any two random edit histories merge into a valid document (conflicts or not).
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeywidget as jw
from journeywidget.core.errors import OperationError
from journeywidget.document.io import validate_document
from journeywidget.document.merge import merge_documents
from strategies import WORDS, documents, random_op

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def components(doc: dict) -> list[set[str]]:
    """Items that stand or fall together: a stage with its touchpoints and cards, a lane with
    its cards, an item with the comments on it."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    refs = {"touchpoints": ("stage",), "cards": ("stage", "lane"), "comments": ("target",)}
    for coll in ("personas", "goals", "stages", "lanes", "touchpoints", "cards", "comments"):
        for it in doc[coll]:
            find(it["id"])
            for ref in refs.get(coll, ()):
                if it[ref] != doc["id"]:
                    join(it["id"], it[ref])
    groups: dict[str, set[str]] = {}
    for x in parent:
        groups.setdefault(find(x), set()).add(x)
    return list(groups.values())


def script(j: jw.Journey, rng: random.Random, mine: set[str], shared: set[str], side: str, n: int) -> list[dict]:
    """Random operations that touch only ``mine`` (and add items referring to ``mine`` or ``shared``);
    ours may reorder with explicit positions, theirs only appends. Returns the operations that applied."""
    done = []
    counter = 0
    for _ in range(n):
        d = j.to_dict()
        counter += 1
        new_id = f"{side}-new-{counter}"
        word = rng.choice(WORDS)
        usable = mine | shared
        stages = [s["id"] for s in d["stages"] if s["id"] in usable]
        my = {coll: [it["id"] for it in d[coll] if it["id"] in mine] for coll in
              ("stages", "touchpoints", "cards", "comments", "lanes", "personas", "goals")}
        lanes = [ln["id"] for ln in d["lanes"] if ln["id"] in usable and ln["kind"] not in ("emotions", "touchpoints", "metrics")]
        everything = [i for c in my.values() for i in c]
        r = rng.random()
        if r < 0.15:
            op = {"op": "add", "kind": "stage", "item": {"id": new_id, "name": word}}
        elif r < 0.3 and stages:
            op = {"op": "add", "kind": "touchpoint", "item": {"id": new_id, "name": word, "stage": rng.choice(stages),
                                                              "emotion": rng.choice([None, -1, 2])}}
        elif r < 0.36 and stages and lanes:
            op = {"op": "add", "kind": "card", "item": {"id": new_id, "text": word, "lane": rng.choice(lanes),
                                                        "stage": rng.choice(stages)}}
        elif r < 0.42 and (everything or side == "o"):
            target = rng.choice(everything + sorted(shared) + [d["id"]])
            op = {"op": "add", "kind": "comment", "item": {"id": new_id, "text": word, "target": target,
                                                           "created": "2026-11-02T10:00:00Z"}}
        elif r < 0.55 and my["touchpoints"] and stages:
            op = {"op": "move", "id": rng.choice(my["touchpoints"]), "stage": rng.choice(stages),
                  "index": rng.choice([None, 0, 1]) if side == "o" else None}
        elif r < 0.62 and side == "o" and my["stages"]:
            op = {"op": "move", "id": rng.choice(my["stages"]), "index": rng.randrange(len(d["stages"]))}
        elif r < 0.8 and my["touchpoints"]:
            field, value = rng.choice([("name", word), ("emotion", rng.choice([None, -2, 1])), ("channel", "email"),
                                       ("pain_points", [word]), ("moment_of_truth", True), ("description", word)])
            op = {"op": "update", "id": rng.choice(my["touchpoints"]), "fields": {field: value}}
        elif r < 0.86 and my["stages"]:
            op = {"op": "update", "id": rng.choice(my["stages"]), "fields": {"description": word, "milestone": True}}
        elif r < 0.9:
            op = {"op": "update", "id": d["id"], "fields": {"title": word} if side == "o" else {"description": word}}
        elif everything:
            op = {"op": "remove", "id": rng.choice(everything)}
        else:
            continue
        try:
            j.apply(op)
        except OperationError:
            continue
        done.append(op)
        for it_coll in ("stages", "touchpoints", "cards", "comments"):
            if any(it["id"] == new_id for it in j.to_dict()[it_coll]):
                mine.add(new_id)
    return done


def items_by_id(doc: dict) -> dict:
    return {coll: {it["id"]: it for it in doc[coll]} for coll in
            ("personas", "goals", "stages", "lanes", "touchpoints", "cards", "comments")}


@SETTINGS
@given(documents(), st.integers(0, 2**32), st.integers(0, 8), st.integers(0, 8))
def test_disjoint_scripts_merge_to_both_applied_in_sequence(data, seed, n_ours, n_theirs):
    base = jw.Journey.from_dict(data)
    rng = random.Random(seed)
    ours_items, theirs_items, shared = set(), set(), set()
    for comp in components(base.to_dict()):
        rng.choice([ours_items, theirs_items, shared]).update(comp)
    ours, theirs = jw.Journey.from_dict(data), jw.Journey.from_dict(data)
    script(ours, rng, ours_items, shared, "o", n_ours)
    ops_t = script(theirs, rng, theirs_items, shared, "t", n_theirs)
    sequence = jw.Journey.from_dict(ours.to_dict())
    for op in ops_t:
        sequence.apply(op)  # disjoint: every one of theirs' operations applies after ours'
    out = merge_documents(base.to_dict(), ours.to_dict(), theirs.to_dict())
    assert out.conflicts == []
    assert items_by_id(out.document) == items_by_id(sequence.to_dict())
    assert [str(c) for c in sequence.diff(out.document)] == []  # the same order too (per stage for touchpoints)


@SETTINGS
@given(documents(), st.integers(0, 2**32), st.integers(0, 12))
def test_merging_with_an_unchanged_side_gives_the_other_side_exactly(data, seed, n):
    base = jw.Journey.from_dict(data)
    x = jw.Journey.from_dict(data)
    rng = random.Random(seed)
    for _ in range(n):
        try:
            x.apply(random_op(x, rng))
        except OperationError:
            pass
    b, xd = base.to_dict(), x.to_dict()
    assert merge_documents(b, xd, b).document == xd
    assert merge_documents(b, b, xd).document == xd
    same = merge_documents(b, xd, xd)
    assert same.document == xd and same.conflicts == []


@SETTINGS
@given(documents(), st.integers(0, 2**32), st.integers(0, 10), st.integers(0, 10))
def test_any_two_histories_merge_into_a_valid_map(data, seed, n_ours, n_theirs):
    rng = random.Random(seed)
    sides = []
    for n in (n_ours, n_theirs):
        j = jw.Journey.from_dict(data)
        for _ in range(n):
            try:
                j.apply(random_op(j, rng))
            except OperationError:
                pass
        sides.append(j.to_dict())
    for base in (jw.Journey.from_dict(data).to_dict(), None):
        out = merge_documents(base, *sides)
        validate_document(out.document)
        assert not any("could not be combined" in c.text for c in out.conflicts)
        texts = {c["text"] for c in out.document["comments"]}
        assert all(f"merge conflict: {c.text}" in texts for c in out.conflicts)
        ids = {it["id"] for coll in ("stages", "touchpoints", "cards", "comments") for it in out.document[coll]}
        for side in sides:  # nothing either side added is dropped
            added = {it["id"] for coll in ("stages", "touchpoints") for it in side[coll]} - {
                it["id"] for coll in ("stages", "touchpoints") for it in data[coll]}
            names = {it["name"] for coll in ("stages", "touchpoints") for it in out.document[coll]}
            for coll in ("stages", "touchpoints"):
                for it in side[coll]:
                    if it["id"] in added:
                        assert it["id"] in ids or it["name"] in names
