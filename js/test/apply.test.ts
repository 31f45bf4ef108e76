// The standalone page's op applier against what Python's mutations did with the same
// operations (tests/data/op_cases.json, written by tests/data/make_op_cases.py).
import { describe, expect, it } from "vitest";
import { applyOp, applyOps, countOps, OperationError } from "../src/model/apply";
import { scaleProblems } from "../src/model/document";
import { max_ops_per_message } from "../../src/journeywidget/core/limits.json";
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

describe("bounds shared with Python (src/journeywidget/core/limits.json)", () => {
  const doc = docs.small;
  const rename = { op: "update", id: "buy", fields: { name: "Renamed" } };
  it("counts the operations of a message, nested ones too, and stops past the cap", () => {
    expect(countOps([rename, { op: "batch", ops: [rename, rename] }])).toBe(4);
    expect(countOps(new Array(100_000).fill(rename))).toBe(max_ops_per_message + 1);
  });
  it("refuses a message over the cap, as the widget does, and applies one at the cap", () => {
    expect(() => applyOps(doc, new Array(max_ops_per_message + 1).fill(rename), clock)).toThrow(/at most 5000/);
    expect(applyOps(doc, new Array(max_ops_per_message).fill(rename), clock).changed).toBe(true);
  });
  it("refuses batches nested deeper than the bound before walking them", () => {
    let op: unknown = rename;
    for (let i = 0; i < 10_000; i++) op = { op: "batch", ops: [op] };
    expect(() => applyOp(doc, op, clock)).toThrow(/nest at most 4 deep/);
  });
  it("refuses numbers JavaScript cannot carry exactly, and never loops on a far-out scale", () => {
    expect(() => applyOp(doc, { op: "update", id: "conv", fields: { target: 2 ** 53 } }, clock)).toThrow(/out of range/);
    expect(() => applyOp(doc, { op: "update", id: "conv", fields: { target: 1e300 } }, clock)).toThrow(/out of range/);
    expect(scaleProblems({ min: 2 ** 53, max: 2 ** 53 + 2, labels: {} }).length).toBe(1);
  });
  it("shows a long id from the page only in part", () => {
    expect(() => applyOp(doc, { op: "remove", id: "x".repeat(1_000_000) }, clock)).toThrow(/^[^]{0,200}$/);
  });
});
