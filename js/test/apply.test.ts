// The standalone page's op applier against what Python's mutations did with the same
// operations (tests/data/op_cases.json, written by tests/data/make_op_cases.py).
import { describe, expect, it } from "vitest";
import { applyOp, applyOps, OperationError } from "../src/model/apply";
import { clone } from "../src/model/json";
import { cases, clock, docs, expected } from "./opcases";

describe("op cases shared with Python", () => {
  it("has a few hundred cases of every operation, refused ones included", () => {
    expect(cases.length).toBeGreaterThan(300);
    const ops = new Set(cases.map((c) => (c.op && typeof c.op === "object" ? (c.op as any).op : null)));
    for (const op of ["add", "update", "remove", "move", "batch"]) expect(ops.has(op)).toBe(true);
    expect(cases.filter((c) => c.error).length).toBeGreaterThan(80);
    expect(cases.filter((c) => c.changes === null).length).toBeGreaterThan(10);
  });

  for (const c of cases) {
    it(c.name, () => {
      const input = docs[c.doc];
      const before = clone(input);
      if (c.error !== undefined) {
        expect(() => applyOp(input, clone(c.op), clock), `Python refused: ${c.error}`).toThrow(OperationError);
      } else {
        const res = applyOp(input, clone(c.op), clock);
        expect(res.changed).toBe(c.changes !== null);
        expect(res.doc).toEqual(expected(c));
        if (!res.changed) expect(res.doc).toBe(input);
      }
      expect(input, "the input document is never changed").toEqual(before);
    });
  }
});

describe("applyOps (the widget's list of ops)", () => {
  const doc = docs.small;
  it("applies several ops as one batch, all or nothing", () => {
    const ops = [
      { op: "update", id: "buy", fields: { name: "Purchase" } },
      { op: "remove", id: "home" },
    ];
    expect(applyOps(doc, ops, clock)).toEqual(applyOp(doc, { op: "batch", ops }, clock));
    expect(() => applyOps(doc, [...ops, { op: "remove", id: "nowhere" }], clock)).toThrow(/batch\.ops\[2\]/);
  });
  it("refuses an empty or missing list", () => {
    expect(() => applyOps(doc, [], clock)).toThrow(OperationError);
    expect(() => applyOps(doc, null, clock)).toThrow(OperationError);
  });
});
