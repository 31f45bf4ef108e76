"""Random valid journey documents and random edit operations, for property tests."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from journeywidget.document.schema import CHANNELS, EVIDENCE, LANE_KINDS

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=30
)
name = text.filter(lambda s: s.strip() != "").map(lambda s: s[:30]) | st.sampled_from(
    ["Checkout page", "Поиск", "Rozhodnutí", "<img src=x onerror=alert(1)>", "Café 😀"]
)
emotion = st.none() | st.integers(-2, 2) | st.floats(-2, 2, allow_nan=False, allow_infinity=False)


@st.composite
def documents(draw) -> dict:
    n_stages = draw(st.integers(0, 6))
    used: set[str] = {"j"}

    def fresh(prefix: str) -> str:
        i = len(used)
        while f"{prefix}-{i}" in used:
            i += 1
        used.add(f"{prefix}-{i}")
        return f"{prefix}-{i}"

    stages = [
        {"id": fresh("s"), "name": draw(name), "description": draw(text), "customer_goal": draw(text),
         "milestone": draw(st.booleans()), "icon": draw(st.sampled_from(["", "🛒", "👀"]))}
        for _ in range(n_stages)
    ]
    lanes = [{"id": fresh("l"), "kind": k, "title": draw(text)} for k in draw(st.lists(st.sampled_from(LANE_KINDS), max_size=5))]
    card_lanes = [ln["id"] for ln in lanes if ln["kind"] not in ("emotions", "touchpoints", "metrics")]
    touchpoints = []
    if stages:
        for _ in range(draw(st.integers(0, 12))):
            touchpoints.append({
                "id": fresh("t"), "name": draw(name), "stage": draw(st.sampled_from(stages))["id"],
                "channel": draw(st.none() | st.sampled_from(CHANNELS) | st.just("kiosk")),
                "emotion": draw(emotion), "moment_of_truth": draw(st.booleans()), "metric": draw(text),
                "description": draw(text), "pain_points": draw(st.lists(text, max_size=2)),
                "opportunities": draw(st.lists(text, max_size=2)), "quotes": draw(st.lists(text, max_size=2)),
                "owner": draw(text), "evidence": draw(st.lists(st.sampled_from(EVIDENCE), max_size=2)),
                "event_keys": draw(st.lists(name, max_size=2)), "tags": draw(st.lists(name, max_size=2)),
            })
    cards = []
    if stages and card_lanes:
        for _ in range(draw(st.integers(0, 6))):
            cards.append({"id": fresh("c"), "lane": draw(st.sampled_from(card_lanes)),
                          "stage": draw(st.sampled_from(stages))["id"], "text": draw(text)})
    targets = ["j"] + [x["id"] for x in stages + touchpoints + cards]
    comments = [
        {"id": fresh("m"), "target": draw(st.sampled_from(targets)), "author": draw(text), "text": draw(name),
         "created": "2026-11-01T09:00:00Z", "resolved": draw(st.booleans())}
        for _ in range(draw(st.integers(0, 3)))
    ]
    personas = [
        {"id": fresh("p"), "name": draw(name), "description": draw(text), "quote": draw(text),
         "attributes": draw(st.dictionaries(st.sampled_from(["age", "plan", "role"]), text, max_size=2)),
         "goals": draw(st.lists(text, max_size=2)), "needs": [], "motivations": [], "frustrations": [],
         "empathy": {"says": draw(st.lists(text, max_size=2)), "thinks": [], "does": [], "feels": []},
         "segment": draw(st.none() | st.fixed_dictionaries({"column": st.just("plan"),
                                                            "values": st.lists(st.sampled_from(["free", "pro", 1, True]), max_size=2)}))}
        for _ in range(draw(st.integers(0, 2)))
    ]
    goals = [
        {"id": fresh("g"), "name": draw(name), "description": "", "metric": draw(text),
         "target": draw(st.none() | st.integers(0, 100) | st.floats(0, 1)), "unit": "%",
         "direction": draw(st.sampled_from(["increase", "decrease", "maintain"]))}
        for _ in range(draw(st.integers(0, 2)))
    ]
    return {
        "schema_version": 1, "id": "j", "title": draw(name), "description": draw(text),
        "journey_type": draw(st.sampled_from(["purchase", "onboarding", "custom"])),
        "state": draw(st.sampled_from(["as_is", "to_be"])), "created": "2026-11-01T09:00:00Z",
        "modified": "2026-11-01", "tags": draw(st.lists(name, max_size=3)),
        "emotion_scale": {"min": -2, "max": 2, "labels": {str(i): f"L{i}" for i in range(-2, 3)}},
        "personas": personas, "goals": goals, "stages": stages, "lanes": lanes, "touchpoints": touchpoints,
        "cards": cards, "comments": comments,
    }


WORDS = ["Search", "Checkout", "Email", "Call", "App", "Store", "Review", "Chat", "Ad", "Survey"]


def random_op(j, rng: random.Random) -> dict:
    """A random operation on journey ``j`` (most valid, some not)."""
    d = j.to_dict()
    stages = [s["id"] for s in d["stages"]]
    tps = [t["id"] for t in d["touchpoints"]]
    lanes = [ln["id"] for ln in d["lanes"] if ln["kind"] not in ("emotions", "touchpoints", "metrics")]
    everything = stages + tps + [c["id"] for c in d["cards"]] + [ln["id"] for ln in d["lanes"]] + [
        c["id"] for c in d["comments"]] + [p["id"] for p in d["personas"]] + [g["id"] for g in d["goals"]]
    choice = rng.random()
    word = rng.choice(WORDS) + (" " + str(rng.randint(1, 50)) if rng.random() < 0.5 else "")
    if choice < 0.12 or not stages:
        return {"op": "add", "kind": "stage", "item": {"name": word, "milestone": rng.random() < 0.2},
                "index": rng.choice([None, 0, 1, -1])}
    if choice < 0.35:
        return {"op": "add", "kind": "touchpoint", "item": {
            "name": word, "stage": rng.choice(stages), "channel": rng.choice(["web", "email", None, "kiosk"]),
            "emotion": rng.choice([None, -2, -1, 0, 1, 2, 1.5])}, "index": rng.choice([None, 0, 2])}
    if choice < 0.42 and lanes:
        return {"op": "add", "kind": "card", "item": {"text": word, "lane": rng.choice(lanes), "stage": rng.choice(stages)}}
    if choice < 0.45:
        return {"op": "add", "kind": "comment", "item": {"text": word, "target": rng.choice(everything + [d["id"]]),
                                                         "created": "2026-11-02T10:00:00Z"}}
    if choice < 0.48:
        return {"op": "add", "kind": rng.choice(["persona", "goal"]), "item": {"name": word}}
    if choice < 0.50:
        return {"op": "add", "kind": "lane", "item": {"kind": rng.choice(["text", "backstage", "needs"]), "title": word}}
    if choice < 0.65 and tps:
        return {"op": "move", "id": rng.choice(tps), "stage": rng.choice(stages), "index": rng.choice([None, 0, 1, 5])}
    if choice < 0.70 and len(stages) > 1:
        return {"op": "move", "id": rng.choice(stages), "index": rng.randrange(len(stages))}
    if choice < 0.85 and tps:
        field = rng.choice(["name", "emotion", "channel", "moment_of_truth", "pain_points", "emotion"])
        value = {"name": word, "emotion": rng.choice([None, -2, 0, 2, 0.5, 9]), "channel": rng.choice(["web", "phone", None]),
                 "moment_of_truth": rng.random() < 0.5, "pain_points": [word]}[field]
        return {"op": "update", "id": rng.choice(tps), "fields": {field: value}}
    if choice < 0.88:
        return {"op": "update", "id": d["id"], "fields": {"title": word}}
    if choice < 0.92 and everything:
        return {"op": "batch", "ops": [
            {"op": "update", "id": rng.choice(stages), "fields": {"description": word}},
            {"op": "add", "kind": "touchpoint", "item": {"name": word, "stage": rng.choice(stages)}},
        ]}
    if everything:
        return {"op": "remove", "id": rng.choice(everything)}
    return {"op": "add", "kind": "stage", "item": {"name": word}}
