"""Regenerate the malformed-document corpus in tests/data/malformed/.

Each file is a document journeywidget must refuse with a DocumentError whose
message names a JSON path. The expected path is in ``expected.json``.
Run: python tests/data/make_malformed.py
"""

import copy
import json
from pathlib import Path

HERE = Path(__file__).parent / "malformed"

GOOD = {
    "schema_version": 1,
    "id": "demo",
    "title": "Demo",
    "description": "",
    "journey_type": "purchase",
    "state": "as_is",
    "created": "2026-11-01T09:00:00Z",
    "modified": "2026-11-01",
    "tags": [],
    "emotion_scale": {"min": -2, "max": 2, "labels": {"-2": "Very negative", "-1": "Negative", "0": "Neutral", "1": "Positive", "2": "Very positive"}},
    "personas": [],
    "goals": [],
    "stages": [{"id": "browse", "name": "Browse", "description": "", "customer_goal": "", "milestone": False, "icon": ""},
               {"id": "buy", "name": "Buy", "description": "", "customer_goal": "", "milestone": False, "icon": ""}],
    "lanes": [{"id": "actions", "kind": "actions", "title": "Actions"}, {"id": "emotions", "kind": "emotions", "title": "Emotions"}],
    "touchpoints": [{"id": "search", "name": "Search", "stage": "browse", "channel": "web", "emotion": 1}],
    "cards": [{"id": "card-1", "lane": "actions", "stage": "browse", "text": "Looks around"}],
    "comments": [{"id": "comment-1", "target": "search", "author": "Ana", "text": "ok", "created": "2026-11-01T09:00:00Z", "resolved": False}],
}


def doc(**changes):
    d = copy.deepcopy(GOOD)
    for path, value in changes.items():
        parts = path.split("__")
        target = d
        for p in parts[:-1]:
            target = target[int(p)] if p.isdigit() else target[p]
        last = parts[-1]
        if value is DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return json.dumps(d, indent=2)


DELETE = object()
CASES = {
    "not_json.json": ("{this is not json", "$"),
    "empty.json": ("", "$"),
    "whitespace.json": ("   \n\t  \n", "$"),
    "array_top.json": ("[1, 2, 3]", "$"),
    "string_top.json": ('"journey"', "$"),
    "null_top.json": ("null", "$"),
    "truncated.json": (doc()[:200], "$"),
    "nan_value.json": (doc().replace('"emotion": 1', '"emotion": NaN'), "$"),
    "no_schema_version.json": (doc(schema_version=DELETE), "$.schema_version"),
    "newer_version.json": (doc(schema_version=99), "$.schema_version"),
    "version_string.json": (doc(schema_version="1"), "$.schema_version"),
    "negative_version.json": (doc(schema_version=-1), "$.schema_version"),
    "missing_title.json": (doc(title=DELETE), "$.title"),
    "empty_title.json": (doc(title=""), "$.title"),
    "title_number.json": (doc(title=42), "$.title"),
    "stages_not_list.json": (doc(stages={"browse": "Browse"}), "$.stages"),
    "stage_missing_name.json": (doc(stages__0__name=DELETE), "$.stages[0].name"),
    "milestone_string.json": (doc(stages__1__milestone="yes"), "$.stages[1].milestone"),
    "unknown_field.json": (doc(stages__0__colour="red"), "$.stages[0].colour"),
    "dangling_stage.json": (doc(touchpoints__0__stage="checkout"), "$.touchpoints[0].stage"),
    "dangling_lane.json": (doc(cards__0__lane="nowhere"), "$.cards[0].lane"),
    "card_on_emotions_lane.json": (doc(cards__0__lane="emotions"), "$.cards[0].lane"),
    "dangling_comment.json": (doc(comments__0__target="ghost"), "$.comments[0].target"),
    "duplicate_ids.json": (doc(touchpoints__0__id="browse"), "$.touchpoints[0].id"),
    "emotion_off_scale.json": (doc(touchpoints__0__emotion=7), "$.touchpoints[0].emotion"),
    "emotion_string.json": (doc(touchpoints__0__emotion="happy"), "$.touchpoints[0].emotion"),
    "bad_journey_type.json": (doc(journey_type="shopping"), "$.journey_type"),
    "bad_evidence.json": (doc(touchpoints__0__evidence=["hunch"]), "$.touchpoints[0].evidence[0]"),
    "bad_created.json": (doc(created="yesterday"), "$.created"),
    "bad_modified.json": (doc(modified="2026-13-45"), "$.modified"),
    "scale_labels_missing.json": (doc(emotion_scale={"min": -2, "max": 2, "labels": {"0": "Neutral"}}), "$.emotion_scale"),
    "scale_inverted.json": (doc(emotion_scale={"min": 2, "max": -2, "labels": {}}), "$.emotion_scale"),
    "bad_id.json": (doc(stages__0__id="has spaces!"), "$.stages[0].id"),
    "deeply_nested.json": ("[" * 100_000 + "]" * 100_000, "$"),
    "nested_junk_in_field.json": (doc(description=json.loads("[" * 50 + "]" * 50)), "$.description"),
    "latin1.json": (None, "$"),
    "v0_bad_stage.json": (json.dumps({"schema_version": 0, "title": "Old", "stages": ["not an object"]}), "$.stages[0]"),
}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    expected = {}
    for name, (text, path) in CASES.items():
        if name == "latin1.json":
            (HERE / name).write_bytes(doc(title="Cafe").replace('"Cafe"', '"Caf\u00e9"').encode("latin-1"))
        else:
            (HERE / name).write_text(text, encoding="utf-8")
        expected[name] = path
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (HERE.parent / "good_minimal.json").write_text(doc() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
