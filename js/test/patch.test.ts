// The page's patch applier (src/model/patch.ts) against what Python sends
// (tests/data/patch_cases.json, made by tests/data/make_patch_cases.py from the
// operations of op_cases.json): every edit's patch turns the input document into
// exactly the document Python made, and the undo's patch turns it back.
import { describe, expect, it } from "vitest";
import PATCHES from "../../tests/data/patch_cases.json";
import { applyPatch, PatchError, splitPointer, type PatchOp } from "../src/model/patch";
import { cases, docs, expected } from "./opcases";

interface EditCase {
  name: string;
  doc: string;
  patch: PatchOp[];
  undo: PatchOp[];
}

const edits = PATCHES.edits as unknown as EditCase[];
const byName = new Map(cases.map((c) => [c.name, c]));

describe("document patches from Python", () => {
  it("cover hundreds of edits", () => {
    expect(edits.length).toBeGreaterThan(250);
  });

  it.each(edits.map((e) => [e.name, e] as const))("%s", (_name, e) => {
    const input = docs[e.doc];
    const frozen = JSON.stringify(input);
    const after = applyPatch(input, e.patch);
    expect(after).toEqual(expected(byName.get(e.name)!));
    expect(JSON.stringify(input)).toBe(frozen); // the old document is left as it was
    expect(applyPatch(after, e.undo)).toEqual(input);
  });

  it("share every item the edit did not touch", () => {
    const e = edits.find((x) => x.patch.some((op) => op.op === "replace" && op.path.startsWith("/touchpoints/")))!;
    const input = docs[e.doc] as any;
    const after = applyPatch(input, e.patch) as any;
    const changed = after.touchpoints.filter((t: any, i: number) => t !== input.touchpoints[i]);
    expect(changed).toHaveLength(1);
    expect(after.stages).toBe(input.stages);
    expect(after.touchpoints).not.toBe(input.touchpoints);
  });
});

describe("diffs of the metrics and charts", () => {
  it.each(PATCHES.diffs.map((d) => [d.name, d] as const))("%s", (_name, d) => {
    expect(applyPatch(d.old, d.patch as PatchOp[])).toEqual(d.new);
  });
});

describe("patches the page refuses", () => {
  it.each(PATCHES.refused.map((r) => [r.name, r] as const))("%s", (_name, r) => {
    const before = JSON.stringify(r.value);
    expect(() => applyPatch(r.value, r.patch as PatchOp[])).toThrow(PatchError);
    expect(JSON.stringify(r.value)).toBe(before);
  });

  it("reads JSON pointers with escapes", () => {
    expect(splitPointer("/a~1b/c~0d/0")).toEqual(["a/b", "c~d", "0"]);
    expect(splitPointer("")).toEqual([]);
  });

  it("copies values out of the message", () => {
    const value = { list: [] as unknown[] };
    const item = { id: "x", tags: ["a"] };
    const out = applyPatch(value, [{ op: "add", path: "/list/0", value: item }]);
    item.tags.push("b");
    expect(out.list).toEqual([{ id: "x", tags: ["a"] }]);
  });
});
