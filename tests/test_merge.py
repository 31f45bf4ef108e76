"""Three-way merge of maps: one test per rule (document/merge.py), the inputs jw.merge takes,
and j.merge_from (one undoable step)."""

from __future__ import annotations

import json

import pytest

import journeywidget as jw
from journeywidget.document.io import validate_document
from journeywidget.document.merge import CONFLICT_PREFIX, MERGE_AUTHOR, merge_documents


def base_map() -> jw.Journey:
    j = jw.Journey("Shop", lanes=[{"id": "notes", "kind": "text", "title": "Notes"},
                                  {"id": "feel", "kind": "emotions", "title": "Feelings"}])
    for name in ("Discover", "Decision", "Purchase"):
        j.add_stage(name)
    j.add_touchpoint("Ad", stage="discover", channel="social", emotion=1)
    j.add_touchpoint("Product page", stage="decision", channel="web", pain_points=["Sizes unclear"])
    j.add_touchpoint("Checkout page", stage="decision", channel="web", emotion=-1)
    j.add_touchpoint("Reviews", stage="decision")
    j.add_touchpoint("Payment", stage="purchase", emotion=0)
    j.add_card("Compares prices", lane="notes", stage="decision")
    j.comment("payment", "Check the 3-D Secure numbers", author="Ana")
    return j


def sides(edit_ours, edit_theirs, base: jw.Journey | None = None):
    base = base or base_map()
    ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
    edit_ours(ours)
    edit_theirs(theirs)
    out = merge_documents(base.to_dict(), ours.to_dict(), theirs.to_dict())
    validate_document(json.loads(json.dumps(out.document)))  # always a valid document
    return out, jw.Journey.from_dict(out.document)


def ids(doc_or_j, coll="stages"):
    doc = doc_or_j.to_dict() if isinstance(doc_or_j, jw.Journey) else doc_or_j
    return [it["id"] for it in doc[coll]]


def in_stage(j: jw.Journey, stage: str) -> list[str]:
    return [t.id for t in j.touchpoints_in(stage)]


def conflict_comments(j: jw.Journey) -> list:
    return [c for c in j.comments if c.text.startswith(CONFLICT_PREFIX)]


# -- combining --------------------------------------------------------------
def test_edits_to_different_fields_of_one_item_combine():
    out, j = sides(lambda o: o.move_touchpoint("checkout-page", stage="purchase"),
                   lambda t: t.update("checkout-page", description="Card only"))
    assert out.conflicts == []
    assert j["checkout-page"].stage == "purchase" and j["checkout-page"].description == "Card only"


def test_edits_to_different_items_combine():
    out, j = sides(lambda o: o.update("ad", name="Instagram ad"), lambda t: t.update("payment", emotion=-2))
    assert out.conflicts == [] and j["ad"].name == "Instagram ad" and j["payment"].emotion == -2


def test_same_change_on_both_sides_is_no_conflict():
    out, j = sides(lambda o: o.update("ad", name="Ad!"), lambda t: t.update("ad", name="Ad!"))
    assert out.conflicts == [] and j["ad"].name == "Ad!"


def test_same_field_changed_differently_keeps_ours_and_records_theirs():
    out, j = sides(lambda o: o.update("checkout-page", name="Pay"), lambda t: t.update("checkout-page", name="Checkout v2"))
    assert j["checkout-page"].name == "Pay"
    [c] = out.conflicts
    assert (c.id, c.kind, c.field, c.ours, c.theirs) == ("checkout-page", "touchpoint", "name", "'Pay'", "'Checkout v2'")
    assert str(c) == "touchpoint 'Pay': theirs set name to 'Checkout v2'; kept ours, 'Pay'"
    [comment] = conflict_comments(j)
    assert comment.target == "checkout-page" and comment.author == MERGE_AUTHOR and not comment.resolved
    assert comment.text == "merge conflict: theirs set name to 'Checkout v2'; kept ours, 'Pay'"
    assert c.comment == comment.id


def test_resolving_the_conflict_comment_closes_it_and_a_remerge_adds_no_duplicate():
    base = base_map()
    ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
    ours.update("ad", emotion=2)
    theirs.update("ad", emotion=-2)
    first = jw.merge(base, ours, theirs)
    again = jw.merge(base, first.journey, theirs)  # the same conflict again: still one comment
    assert len(conflict_comments(again.journey)) == 1 and again.conflicts[0].comment == first.conflicts[0].comment
    j = first.journey
    j.resolve(first.conflicts[0].comment)
    assert [c.resolved for c in conflict_comments(j)] == [True]


def test_stage_move_is_a_field_conflict_worded_with_stage_names():
    out, j = sides(lambda o: o.move_touchpoint("reviews", stage="discover"),
                   lambda t: t.move_touchpoint("reviews", stage="purchase"))
    [c] = out.conflicts
    assert j["reviews"].stage == "discover"
    assert c.text == "theirs moved this touchpoint to 'Purchase'; kept ours, 'Discover'"


# -- additions ---------------------------------------------------------------
def test_additions_on_both_sides_are_kept():
    out, j = sides(lambda o: o.add_stage("Loyalty"), lambda t: t.add_touchpoint("Chat", stage="decision"))
    assert out.conflicts == [] and "loyalty" in j and j["chat"].stage == "decision"


def test_the_same_addition_on_both_sides_is_kept_once():
    out, j = sides(lambda o: o.add_stage("Loyalty"), lambda t: t.add_stage("Loyalty"))
    assert out.conflicts == [] and [s.name for s in j.stages].count("Loyalty") == 1


def test_different_items_added_with_the_same_name_get_distinct_ids_and_references_follow():
    def ours(o):
        o.add_stage("Support", icon="🛟")
        o.add_touchpoint("Help center", stage="support")

    def theirs(t):
        t.add_stage("Support", description="After the sale")
        t.add_touchpoint("Hotline", stage="support")
        t.add_card("Waits on hold", lane="notes", stage="support")
        t.comment("support", "Do we staff this?")
        t.add_touchpoint("Help center", stage="decision")  # same name as ours' touchpoint, other stage

    out, j = sides(ours, theirs)
    assert out.conflicts == []
    assert j["support"].icon == "🛟" and j["support-2"].description == "After the sale"
    assert in_stage(j, "support") == ["help-center"]
    assert in_stage(j, "support-2") == ["hotline"]
    assert j["help-center-2"].stage == "decision"
    [card] = [c for c in j.cards if c.text == "Waits on hold"]
    assert card.stage == "support-2"
    [note] = [c for c in j.comments if c.text == "Do we staff this?"]
    assert note.target == "support-2"


def test_comments_added_on_both_sides_both_survive():
    out, j = sides(lambda o: o.comment("ad", "Ours"), lambda t: t.comment("ad", "Theirs"))
    assert out.conflicts == [] and sorted(c.text for c in j.comments if c.target == "ad") == ["Ours", "Theirs"]


# -- order ------------------------------------------------------------------------
def test_one_sides_reorder_and_the_others_insertion_both_hold():
    out, j = sides(lambda o: o.move_stage("purchase", 0), lambda t: t.add_stage("Research", index=1))
    assert out.conflicts == []
    assert ids(j) == ["purchase", "discover", "research", "decision"]


def test_touchpoint_reorder_within_a_stage_and_an_insertion_both_hold():
    out, j = sides(lambda o: o.move_touchpoint("reviews", index=0),
                   lambda t: (t.add_touchpoint("Size guide", stage="decision", index=1),
                              t.add_touchpoint("Chat", stage="decision")))
    assert out.conflicts == []
    assert in_stage(j, "decision") == ["reviews", "product-page", "size-guide", "checkout-page", "chat"]


def test_an_insertion_after_an_item_the_other_side_moved_stays_where_it_was_meant():
    # theirs appends after 'purchase'; ours moved 'purchase' to the front: the new stage is still last
    out, j = sides(lambda o: o.move_stage("purchase", 0), lambda t: t.add_stage("Loyalty"))
    assert ids(j) == ["purchase", "discover", "decision", "loyalty"]


def test_both_sides_moving_one_item_to_different_places_is_a_position_conflict():
    out, j = sides(lambda o: o.move_stage("purchase", 0), lambda t: t.move_stage("purchase", 1))
    [c] = out.conflicts
    assert ids(j) == ["purchase", "discover", "decision"]
    assert c.field == "position" and c.text == "theirs moved this stage after 'Discover'; kept ours' place, first"


def test_a_move_to_another_stage_on_theirs_and_a_reorder_on_ours_merge():
    out, j = sides(lambda o: o.move_touchpoint("checkout-page", index=0),
                   lambda t: t.move_touchpoint("reviews", stage="purchase", index=0))
    assert out.conflicts == []
    assert in_stage(j, "decision") == ["checkout-page", "product-page"]
    assert in_stage(j, "purchase") == ["reviews", "payment"]


# -- deletions ------------------------------------------------------------------------
def test_a_deletion_applies_when_the_other_side_left_the_item_alone():
    out, j = sides(lambda o: o.remove("ad"), lambda t: t.update("payment", emotion=1))
    assert out.conflicts == [] and "ad" not in j and j["payment"].emotion == 1


def test_delete_modify_keeps_the_item_with_the_edits_and_is_a_conflict():
    out, j = sides(lambda o: o.update("reviews", description="Stars and photos", channel="web"),
                   lambda t: t.remove("reviews"))
    assert j["reviews"].description == "Stars and photos"
    [c] = out.conflicts
    assert c.field is None and (c.ours, c.theirs) == ("changed channel, description", "removed the touchpoint")
    assert c.text == "theirs removed this touchpoint; ours changed it (channel, description), so it is kept with ours' changes"
    # and the other way round
    out, j = sides(lambda o: o.remove("reviews"), lambda t: t.update("reviews", name="Ratings"))
    assert j["reviews"].name == "Ratings" and out.conflicts[0].text.startswith("ours removed this touchpoint; theirs changed it")


def test_a_stage_removed_on_one_side_while_the_other_added_a_touchpoint_to_it_is_kept():
    out, j = sides(lambda o: o.remove("purchase"), lambda t: t.add_touchpoint("Wallet", stage="purchase"))
    assert j["wallet"].stage == "purchase" and "purchase" in j
    assert "payment" not in j  # ours removed it with the stage and theirs did not change it
    [c] = out.conflicts
    assert (c.id, c.kind, c.field) == ("purchase", "stage", None)
    assert c.text == "ours removed this stage, but theirs has touchpoint 'Wallet' in it, so it is kept"
    assert conflict_comments(j)[0].target == "purchase"


def test_a_stage_removed_while_the_other_side_edited_one_of_its_touchpoints_comes_back():
    out, j = sides(lambda o: o.update("payment", emotion=2), lambda t: t.remove("purchase"))
    assert j["payment"].emotion == 2 and j["payment"].stage == "purchase"
    assert {(c.id, c.field) for c in out.conflicts} == {("payment", None), ("purchase", None)}


def test_an_item_removed_on_one_side_and_commented_on_the_other_is_kept():
    out, j = sides(lambda o: o.comment("ad", "Is this still running?"), lambda t: t.remove("ad"))
    assert "ad" in j and [c.text for c in out.conflicts] == [
        "theirs removed this touchpoint, but ours commented on it, so it is kept"]


def test_a_lane_made_computed_on_one_side_while_the_other_added_a_card_keeps_holding_cards():
    base = base_map()
    base.add_lane("text", "Ideas")
    out, j = sides(lambda o: o.update("ideas", kind="emotions"),
                   lambda t: t.add_card("Loyalty points", lane="ideas", stage="purchase"), base)
    assert j["ideas"].kind == "text" and any(c.text == "Loyalty points" for c in j.cards)
    [c] = out.conflicts
    assert c.field == "kind" and "card 'Loyalty points' is in it" in c.text


# -- fields of the journey, lists, scale, dates ---------------------------------------
def test_journey_fields_merge_like_item_fields():
    out, j = sides(lambda o: o.update(o.id, title="Shop A", tags=["retail", "q3"]),
                   lambda t: t.update(t.id, title="Shop B", description="All channels", tags=["retail", "b2c"]))
    assert (j.title, j.description, j.tags) == ("Shop A", "All channels", ["retail", "q3", "b2c"])
    [c] = out.conflicts
    assert (c.kind, c.id, c.field) == ("journey", j.id, "title")
    assert conflict_comments(j)[0].target == j.id


def test_lists_inside_items_merge_as_ordered_sets():
    def ours(o):
        o.update("product-page", pain_points=["Sizes unclear", "Slow images"], event_keys=["view_item"])

    def theirs(t):
        t.update("product-page", pain_points=["No reviews"], event_keys=["view_item", "select_item"])

    out, j = sides(ours, theirs)
    assert out.conflicts == []
    assert j["product-page"].pain_points == ["Slow images", "No reviews"]  # theirs' removal applies too
    assert j["product-page"].event_keys == ["view_item", "select_item"]


def test_persona_attributes_merge_key_by_key():
    base = base_map()
    base.add_persona("Ana", attributes={"age": "27"})
    out, j = sides(lambda o: o.update("ana", attributes={"age": "28", "plan": "pro"}),
                   lambda t: t.update("ana", attributes={"age": "29", "device": "mobile"}), base)
    assert j["ana"].attributes == {"age": "28", "plan": "pro", "device": "mobile"}
    [c] = out.conflicts
    assert c.field == "attributes.age" and c.text == "theirs set attributes age to '29'; kept ours, '28'"


def test_an_emotion_off_the_merged_scale_is_a_conflict_with_a_stated_fix():
    def scale(lo, hi):
        return {"min": lo, "max": hi, "labels": {str(i): f"L{i}" for i in range(lo, hi + 1)}}

    def ours(o):  # a 1..5 scale ('ad' at 1 still fits, the others are moved onto it)
        o.batch([{"op": "update", "id": t, "fields": {"emotion": None}} for t in ("checkout-page", "payment")])
        o.update(o.id, emotion_scale=scale(1, 5))

    def theirs(t):  # a -3..3 scale, and emotions set on it
        t.update(t.id, emotion_scale=scale(-3, 3))
        t.update("ad", emotion=-3)
        t.update("reviews", emotion=-1)

    out, j = sides(ours, theirs)
    assert j.emotion_scale["max"] == 5
    assert j["ad"].emotion == 1  # theirs' -3 is off ours' scale: ours' value, which fits
    assert j["reviews"].emotion is None  # no side's value fits: cleared
    texts = {c.id if c.kind != "journey" else "journey": c.text for c in out.conflicts}
    assert texts["ad"] == "emotion -3 is off the merged emotion scale 1..5; set to 1"
    assert texts["reviews"] == "emotion -1 is off the merged emotion scale 1..5; set to nothing"
    assert texts["journey"] == "theirs set the journey's emotion scale to -3..3; kept ours, 1..5"


def test_modified_takes_the_later_date_and_created_never_conflicts():
    base = base_map().to_dict()
    ours, theirs = dict(base, modified="2026-03-01"), dict(base, modified="2026-05-02")
    theirs["created"] = "2025-01-01T00:00:00Z"
    out = merge_documents(base, ours, theirs)
    assert out.conflicts == [] and out.document["modified"] == "2026-05-02"
    assert out.document["created"] == "2025-01-01T00:00:00Z"


def test_without_a_base_every_difference_of_a_common_item_is_a_conflict_and_nothing_is_doubled():
    base = base_map()
    ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
    ours.update("ad", name="Ours ad")
    theirs.update("ad", name="Theirs ad", tags=["paid"])
    theirs.add_stage("Loyalty")
    result = jw.merge(None, ours, theirs)
    j = result.journey
    assert len(j.touchpoints) == len(base.touchpoints) and "loyalty" in j
    assert j["ad"].name == "Ours ad" and j["ad"].tags == ["paid"]
    assert [c.field for c in result.conflicts] == ["name"]


# -- inputs and the notebook ----------------------------------------------------------
def test_merge_takes_journeys_dicts_and_paths(tmp_path):
    base = base_map()
    ours = jw.Journey.from_dict(base.to_dict())
    ours.add_stage("Loyalty")
    base.save(tmp_path / "base.json")
    result = jw.merge(tmp_path / "base.json", ours.to_dict(), str(tmp_path / "base.json"))
    assert isinstance(result, jw.MergeResult) and result.clean and "loyalty" in result.journey
    (tmp_path / "empty.json").write_text("")
    assert jw.merge(tmp_path / "empty.json", ours, ours).journey == ours  # an empty base file: no base
    with pytest.raises(jw.JourneyError, match="theirs: expected a Journey"):
        jw.merge(base, ours, 42)
    with pytest.raises(jw.DocumentError):
        jw.merge(base, ours, {"title": "no id"})


def test_merge_from_is_one_step_that_undo_reverts_exactly(tmp_path):
    j = base_map()
    start = j.to_dict()
    colleague = jw.Journey.from_dict(start)
    colleague.update("checkout-page", name="Checkout v2")
    colleague.add_stage("Loyalty")
    colleague.save(tmp_path / "colleague.json")
    j.update("checkout-page", name="Pay")
    before, history = j.to_dict(), j.history()
    seen = []
    j.on_change(lambda jj: seen.append(jj.last_change["source"]))
    conflicts = j.merge_from(tmp_path / "colleague.json", base=start)
    assert [c.field for c in conflicts] == ["name"] and j["checkout-page"].name == "Pay" and "loyalty" in j
    assert j.history() == [*history, f"merged {tmp_path / 'colleague.json'} (1 conflict)"] and seen == ["merge"]
    j.undo()
    assert j.to_dict() == before
    j.redo()
    assert "loyalty" in j and len(conflict_comments(j)) == 1
    assert j.merge_from(j, base=start) == [] and j.history()[-1].startswith("merged")  # nothing new: no step


def test_a_save_refused_because_someone_else_saved_is_settled_by_merging_their_file(tmp_path):
    path = tmp_path / "map.json"
    base_map().save(path)
    alice, bob = jw.Journey.load(path), jw.Journey.load(path)
    alice.add_stage("Alice")
    alice.save(path)
    bob.add_stage("Bob")
    with pytest.raises(jw.SaveConflictError, match=r"j\.merge_from\("):
        bob.save(path)
    assert bob.merge_from(path) == []  # no base: what only one side has comes in, nothing conflicts here
    bob.save(path)  # their version is merged in: no longer a conflict
    assert {"alice", "bob"} <= {s.id for s in jw.Journey.load(path).stages}
