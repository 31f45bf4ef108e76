import { describe, expect, it } from "vitest";
import { DEFAULT_SCALE, emotionLabel, emotionToY, stepEmotion, tone, yToEmotion, PAD } from "../src/model/emotion";
import { addOp, batchOp, dropIndex, moveIfChanged, moveOp, newId, removeOp, updateOp } from "../src/model/ops";
import { allIds, isOpenConflict } from "../src/model/items";
import { isCardLane } from "../src/model/vocabulary";
import { slugify, uniqueId } from "../src/model/ids";
import { historyAction, isTextEntry, itemAction, textKeyAction } from "../src/components/keys";
import { commentCounts, computeLayout, gridColumns, readingOrderIndex, SLOT_PX } from "../src/view/layout";
import { curvePath } from "../src/components/emotion-curve";
import { csvToList, fmtDuration, fmtInt, fmtPct, initials, linesToList } from "../src/components/format";
import { fromText } from "../src/components/fields";
import { sampleDoc } from "./fakemodel";

const scale = DEFAULT_SCALE;

describe("emotion <-> y", () => {
  it("maps the scale onto the padded height, max at the top", () => {
    expect(emotionToY(2, scale)).toBeCloseTo(PAD);
    expect(emotionToY(-2, scale)).toBeCloseTo(100 - PAD);
    expect(emotionToY(0, scale)).toBeCloseTo(50);
    expect(emotionToY(1, scale)).toBeLessThan(emotionToY(0, scale));
  });
  it("clamps values off the scale", () => {
    expect(emotionToY(9, scale)).toBeCloseTo(PAD);
    expect(emotionToY(-9, scale)).toBeCloseTo(100 - PAD);
  });
  it("round-trips through y for every half step", () => {
    for (let v = -2; v <= 2; v += 0.5) expect(yToEmotion(emotionToY(v, scale), scale)).toBe(v);
  });
  it("snaps, clamps and never returns -0", () => {
    expect(yToEmotion(0, scale)).toBe(2);
    expect(yToEmotion(100, scale)).toBe(-2);
    expect(yToEmotion(-50, scale)).toBe(2);
    expect(Object.is(yToEmotion(50.3, scale), -0)).toBe(false);
    expect(yToEmotion(emotionToY(0.7, scale), scale, 0.5)).toBe(0.5);
    expect(yToEmotion(emotionToY(0.7, scale), scale, 0)).toBeCloseTo(0.7);
  });
  it("works on other scales (1..5)", () => {
    const s = { min: 1, max: 5, labels: { "1": "Awful", "3": "Meh", "5": "Great" } };
    expect(emotionToY(3, s)).toBeCloseTo(50);
    expect(yToEmotion(emotionToY(4, s), s)).toBe(4);
    expect(tone(3, s)).toBe("neutral");
    expect(tone(4, s)).toBe("positive");
    expect(tone(1.5, s)).toBe("negative");
    expect(emotionLabel(5, s)).toBe("Great (5)");
  });
  it("colours positive / neutral / negative / unset", () => {
    expect(tone(1, scale)).toBe("positive");
    expect(tone(0, scale)).toBe("neutral");
    expect(tone(-0.5, scale)).toBe("negative");
    expect(tone(null, scale)).toBe("unset");
    expect(tone(undefined, scale)).toBe("unset");
  });
  it("labels values", () => {
    expect(emotionLabel(-2, scale)).toBe("Very negative (-2)");
    expect(emotionLabel(0.5, scale)).toBe("Positive (0.5)");
    expect(emotionLabel(null, scale)).toBe("Not set");
  });
  it("steps with the keyboard", () => {
    expect(stepEmotion(0, "ArrowUp", scale)).toBe(1);
    expect(stepEmotion(2, "ArrowUp", scale)).toBe(2);
    expect(stepEmotion(-2, "ArrowDown", scale)).toBe(-2);
    expect(stepEmotion(0, "ArrowUp", scale, true)).toBe(0.5);
    expect(stepEmotion(null, "ArrowDown", scale)).toBe(0);
    expect(stepEmotion(1, "Home", scale)).toBe(2);
    expect(stepEmotion(1, "End", scale)).toBe(-2);
    expect(stepEmotion(1, "Delete", scale)).toBe(null);
    expect(stepEmotion(1, "a", scale)).toBe(undefined);
  });
});

describe("op building", () => {
  it("builds the FORMAT.md operations", () => {
    expect(updateOp("x", { name: "A" })).toEqual({ op: "update", id: "x", fields: { name: "A" } });
    expect(addOp("stage", { name: "S" })).toEqual({ op: "add", kind: "stage", item: { name: "S" }, index: null });
    expect(removeOp("x")).toEqual({ op: "remove", id: "x" });
    expect(moveOp("s", 2)).toEqual({ op: "move", id: "s", index: 2 });
    expect(moveOp("t", 0, { stage: "buy" })).toEqual({ op: "move", id: "t", index: 0, stage: "buy" });
    expect(moveOp("c", 1, { stage: "buy", lane: "pain" })).toEqual({ op: "move", id: "c", index: 1, stage: "buy", lane: "pain" });
    expect(batchOp([removeOp("a")], "x")).toEqual({ op: "batch", ops: [{ op: "remove", id: "a" }], label: "x" });
  });
  it("computes drop indexes from item centres", () => {
    expect(dropIndex([10, 20, 30], 5)).toBe(0);
    expect(dropIndex([10, 20, 30], 15)).toBe(1);
    expect(dropIndex([10, 20, 30], 99)).toBe(3);
    expect(dropIndex([], 5)).toBe(0);
  });
  it("skips moves that change nothing", () => {
    expect(moveIfChanged("b", ["a", "b", "c"], 1)).toBeNull();
    expect(moveIfChanged("b", ["a", "b", "c"], 0)).toEqual({ op: "move", id: "b", index: 0 });
    expect(moveIfChanged("x", ["a", "b"], 1, { stage: "s" })).toEqual({ op: "move", id: "x", index: 1, stage: "s" });
  });
  it("makes fresh, unique ids", () => {
    const doc = sampleDoc();
    expect(allIds(doc).has("demo")).toBe(true);
    expect(allIds(doc).has("k2")).toBe(true);
    expect(newId(doc, "Browse", "stage")).toBe("browse-2");
    expect(newId(doc, "New stage", "stage")).toBe("new-stage");
    expect(newId(doc, "!!!", "stage")).toBe("stage");
    expect(slugify("Rozhodnutí o nákupu")).toBe("rozhodnuti-o-nakupu");
    expect(slugify("Оплата заказа")).toBe("оплата-заказа");
    expect(uniqueId("a", new Set(["a", "a-2"]))).toBe("a-3");
  });
  it("knows which lanes hold cards", () => {
    expect(isCardLane("pain_points")).toBe(true);
    expect(isCardLane("touchpoints")).toBe(false);
    expect(isCardLane("emotions")).toBe(false);
    expect(isCardLane("metrics")).toBe(false);
  });
  it("parses panel text into field values", () => {
    expect(fromText("lines", " a \n\n b\n")).toEqual(["a", "b"]);
    expect(fromText("csv", "x, y ,,z")).toEqual(["x", "y", "z"]);
    expect(fromText("number", "")).toBeNull();
    expect(fromText("number", "2,5")).toBe(2.5);
    expect(fromText("number", "abc")).toBe("abc");
    expect(fromText("attributes", "age: 27\nrole: nurse: nights")).toEqual({ age: "27", role: "nurse: nights" });
    expect(fromText("text", "  x ")).toBe("x");
  });
});

describe("keyboard handling", () => {
  it("recognises undo and redo chords", () => {
    expect(historyAction({ key: "z", ctrlKey: true })).toBe("undo");
    expect(historyAction({ key: "z", metaKey: true })).toBe("undo");
    expect(historyAction({ key: "Z", ctrlKey: true, shiftKey: true })).toBe("redo");
    expect(historyAction({ key: "z", metaKey: true, shiftKey: true })).toBe("redo");
    expect(historyAction({ key: "y", ctrlKey: true })).toBe("redo");
    expect(historyAction({ key: "z" })).toBeNull();
    expect(historyAction({ key: "z", ctrlKey: true, altKey: true })).toBeNull();
    expect(historyAction({ key: "x", ctrlKey: true })).toBeNull();
  });
  it("maps item keys", () => {
    expect(itemAction({ key: "Delete" })).toBe("delete");
    expect(itemAction({ key: "Backspace" })).toBe("delete");
    expect(itemAction({ key: "Enter" })).toBe("edit");
    expect(itemAction({ key: "F2" })).toBe("edit");
    expect(itemAction({ key: "Escape" })).toBe("escape");
    expect(itemAction({ key: "m" })).toBe("toggle-mot");
    expect(itemAction({ key: "ArrowLeft", altKey: true })).toBe("move-left");
    expect(itemAction({ key: "ArrowDown", altKey: true })).toBe("move-down");
    expect(itemAction({ key: "ArrowLeft" })).toBeNull();
    expect(itemAction({ key: "c", ctrlKey: true })).toBeNull();
    expect(itemAction({ key: "z", ctrlKey: true })).toBe("undo");
  });
  it("maps Enter / Escape in text", () => {
    expect(textKeyAction({ key: "Enter" }, false)).toBe("commit");
    expect(textKeyAction({ key: "Enter", shiftKey: true }, false)).toBe("commit");
    expect(textKeyAction({ key: "Enter", shiftKey: true }, true)).toBe("newline");
    expect(textKeyAction({ key: "Escape" }, true)).toBe("revert");
    expect(textKeyAction({ key: "a" }, true)).toBeNull();
  });
  it("tells text entry from other controls", () => {
    const input = document.createElement("input");
    const box = document.createElement("input");
    box.type = "checkbox";
    const div = document.createElement("div");
    const ce = document.createElement("div");
    ce.setAttribute("contenteditable", "plaintext-only");
    expect(isTextEntry(input)).toBe(true);
    expect(isTextEntry(box)).toBe(false);
    expect(isTextEntry(document.createElement("textarea"))).toBe(true);
    expect(isTextEntry(div)).toBe(false);
    expect(isTextEntry(ce)).toBe(true);
    expect(isTextEntry(null)).toBe(false);
  });
});

describe("layout", () => {
  it("gives every stage as many slots as touchpoints (at least one)", () => {
    const l = computeLayout(sampleDoc());
    expect([...l.slots.values()]).toEqual([2, 1, 1]);
    expect(l.total).toBe(4);
    expect(l.x.get("home")).toBeCloseTo(12.5);
    expect(l.x.get("search")).toBeCloseTo(37.5);
    expect(l.x.get("checkout")).toBeCloseTo(62.5);
    expect(l.ordered.map((t) => t.id)).toEqual(["home", "search", "checkout"]);
    expect(gridColumns(l, 150)).toBe(`150px minmax(${2 * SLOT_PX}px, 2fr) minmax(${SLOT_PX}px, 1fr) minmax(${SLOT_PX}px, 1fr)`);
  });
  it("ignores touchpoints of unknown stages and groups cards by cell", () => {
    const doc = sampleDoc();
    doc.touchpoints.push({ id: "lost", name: "Lost", stage: "nowhere" });
    const l = computeLayout(doc);
    expect(l.x.has("lost")).toBe(false);
    expect(l.cards.get("actions\u0001browse")!.map((c) => c.id)).toEqual(["c1"]);
  });
  it("counts open and resolved comments per target", () => {
    const c = commentCounts(sampleDoc());
    expect(c.get("search")).toEqual({ open: 1, total: 2 });
    expect(c.get("home")).toBeUndefined();
  });
  it("counts open merge conflicts among the comments", () => {
    const doc = sampleDoc();
    const conflict = (id: string, resolved: boolean) =>
      ({ id, target: "home", author: "journeywidget merge", text: "merge conflict: theirs set name to 'X'", created: "", resolved });
    doc.comments.push(conflict("k1", false), conflict("k2", true),
      { id: "k3", target: "home", author: "", text: "not a merge conflict: just text", created: "", resolved: false });
    expect(commentCounts(doc).get("home")).toEqual({ open: 2, total: 3, conflicts: 1 });
    expect(isOpenConflict(conflict("k4", false)) && !isOpenConflict(conflict("k5", true))).toBe(true);
  });
  it("finds the drop index in reading order", () => {
    const r = (left: number, top: number) => ({ left, top, width: 100, height: 50 });
    const rects = [r(0, 0), r(110, 0), r(0, 60), r(110, 60)];
    expect(readingOrderIndex(rects, 10, 10)).toBe(0);
    expect(readingOrderIndex(rects, 80, 10)).toBe(1);
    expect(readingOrderIndex(rects, 200, 10)).toBe(2);
    expect(readingOrderIndex(rects, 150, 70)).toBe(3);
    expect(readingOrderIndex(rects, 300, 200)).toBe(4);
    expect(readingOrderIndex([], 0, 0)).toBe(0);
  });
  it("draws a smooth curve that stays within its points", () => {
    expect(curvePath([])).toBe("");
    expect(curvePath([{ x: 10, y: 50 }])).toMatch(/^M6,50L14,50$/);
    const d = curvePath([
      { x: 0, y: 10 },
      { x: 100, y: 90 },
      { x: 200, y: 10 },
    ]);
    expect(d.startsWith("M0,10C")).toBe(true);
    const ys = [...d.matchAll(/[ ,C](-?[\d.]+),(-?[\d.]+)/g)].map((m) => Number(m[2]));
    for (const y of ys) {
      expect(y).toBeGreaterThanOrEqual(10);
      expect(y).toBeLessThanOrEqual(90);
    }
  });
});

describe("formatting", () => {
  it("formats numbers, shares and durations", () => {
    expect(fmtInt(1234)).toBe("1,234");
    expect(fmtInt(12345)).toBe("12.3k");
    expect(fmtInt(2500000)).toBe("2.5M");
    expect(fmtInt(null)).toBe("–");
    expect(fmtPct(0.423)).toBe("42\u00a0%");
    expect(fmtPct(0.051)).toBe("5.1\u00a0%");
    expect(fmtDuration(42)).toBe("42s");
    expect(fmtDuration(3720)).toBe("1h 2m");
    expect(fmtDuration(3 * 86400 + 3600)).toBe("3d 1h");
  });
  it("makes initials for avatars", () => {
    expect(initials("Sofia, the mobile-first shopper")).toBe("SS");
    expect(initials("ana")).toBe("A");
    expect(initials("  ")).toBe("?");
    expect(initials("Élodie Durand")).toBe("ÉD");
  });
  it("splits lists", () => {
    expect(linesToList("a\n\n b ")).toEqual(["a", "b"]);
    expect(csvToList("a, b")).toEqual(["a", "b"]);
  });
});
