// The standalone page's model (js/src/standalone/page-model.ts): the widget's ops,
// undo and redo applied in the page, checked with the cases Python wrote
// (tests/data/op_cases.json), and the read-only page's overlay switching.
import { describe, expect, it } from "vitest";
import { PageModel, type PageData } from "../src/standalone/page-model";
import { clone } from "../src/model/json";
import { cases, clock, docs, expected, type Case } from "./opcases";

const TRAITS = { doc: "_doc", rev: "_rev", error: "_error", can_undo: "_can_undo", can_redo: "_can_redo" };

function page(doc: unknown, editable = true, overlays: PageData["overlays"] = null) {
  const commits: number[] = [];
  const state = { _doc: clone(doc), _rev: 3, _error: "", _can_undo: false, _can_redo: false, overlay: "none", overlay_metric: "", _charts: {} };
  const model = new PageModel({ state, traits: TRAITS, editable, overlays }, (n) => commits.push(n), clock);
  const replies: any[] = [];
  model.on("msg:custom", (m: any) => replies.push(m));
  return { model, commits, replies };
}

/** Send the widget's ops message and wait for the result reply. */
async function sendOps(model: PageModel, replies: any[], ops: unknown[], rid = 1): Promise<any> {
  model.send({ type: "ops", ops, rid });
  await new Promise((r) => setTimeout(r, 0));
  return replies.find((m) => m.rid === rid);
}


describe("edits, undo and redo in the page (the cases shared with Python)", () => {
  const applied = cases.filter((c) => c.changes).slice(0, 120);
  const refused = cases.filter((c) => c.error).slice(0, 40);
  const noops = cases.filter((c) => c.changes === null);

  it.each(applied.map((c) => [c.name, c] as [string, Case]))("%s: applied, undone, redone", async (_name, c) => {
    const input = docs[c.doc];
    const { model, replies, commits } = page(input);
    const res = await sendOps(model, replies, [c.op]);
    expect(res).toMatchObject({ type: "result", ok: true, error: null, rev: 4 });
    const after = model.get("_doc");
    expect(after).toEqual(expected(c));
    expect(model.get("_can_undo")).toBe(true);
    expect(commits).toEqual([1]);
    model.send({ type: "undo" });
    expect(model.get("_doc")).toEqual(input);
    expect(model.get("_rev")).toBe(5);
    expect(model.get("_can_undo")).toBe(false);
    expect(model.get("_can_redo")).toBe(true);
    model.send({ type: "redo" });
    expect(model.get("_doc")).toEqual(after);
    expect(model.get("_can_redo")).toBe(false);
  });

  it.each(refused.map((c) => [c.name, c] as [string, Case]))("%s: refused, the document stays", async (_name, c) => {
    const input = docs[c.doc];
    const { model, replies, commits } = page(input);
    const res = await sendOps(model, replies, [c.op]);
    expect(res.ok).toBe(false);
    expect(res.rev).toBe(3);
    expect(model.get("_error")).toBe(res.error);
    expect(String(res.error).length).toBeGreaterThan(5);
    expect(model.get("_doc")).toEqual(input);
    expect(model.get("_can_undo")).toBe(false);
    expect(commits).toEqual([]);
  });

  it.each(noops.map((c) => [c.name, c] as [string, Case]))("%s: accepted, nothing changes", async (_name, c) => {
    const { model, replies, commits } = page(docs[c.doc]);
    const before = model.get("_doc");
    const res = await sendOps(model, replies, [c.op]);
    expect(res).toMatchObject({ ok: true, rev: 3 });
    expect(model.get("_doc")).toBe(before);
    expect(model.get("_can_undo")).toBe(false);
    expect(commits).toEqual([]);
  });

  it("applies a list of ops all or nothing, and clears the error on success", async () => {
    const { model, replies } = page(docs.small);
    const bad = await sendOps(model, replies, [{ op: "remove", id: "home" }, { op: "remove", id: "nowhere" }], 1);
    expect(bad.ok).toBe(false);
    expect(model.get("_doc").touchpoints.some((t: any) => t.id === "home")).toBe(true);
    const good = await sendOps(model, replies, [{ op: "remove", id: "home" }, { op: "update", id: "buy", fields: { name: "Pay" } }], 2);
    expect(good.ok).toBe(true);
    expect(model.get("_error")).toBe("");
    expect(model.get("_doc").stages.find((s: any) => s.id === "buy").name).toBe("Pay");
    model.send({ type: "undo" });
    expect(model.get("_doc")).toEqual(docs.small); // one step for the whole list
  });

  it("refuses an empty list and edits on a read-only page", async () => {
    const { model, replies } = page(docs.small);
    expect((await sendOps(model, replies, [], 1)).ok).toBe(false);
    const ro = page(docs.small, false);
    const res = await sendOps(ro.model, ro.replies, [{ op: "remove", id: "home" }], 2);
    expect(res).toMatchObject({ ok: false, error: "This page is read-only." });
    ro.model.send({ type: "undo" });
    expect(ro.model.get("_doc")).toEqual(docs.small);
  });

  it("answers other requests: not available in a standalone page", async () => {
    const { model, replies } = page(docs.small);
    model.send({ type: "segment", rid: 9 });
    await new Promise((r) => setTimeout(r, 0));
    expect(replies.find((m) => m.rid === 9)).toMatchObject({ ok: false, error: "Not available in a standalone page." });
  });
});

describe("the read-only page's overlays", () => {
  it("swaps in the precomputed charts of the chosen overlay", () => {
    const overlays = { "emotion|": { overlay: "emotion" }, "metric|customers": { overlay: "metric", metric: "customers" } };
    const { model } = page(docs.small, false, overlays);
    const seen: string[] = [];
    model.on("change:_charts change:overlay", (_m: unknown, v: any) => seen.push(typeof v === "string" ? v : v.overlay));
    model.set("overlay", "emotion");
    expect(model.get("_charts")).toEqual({ overlay: "emotion" });
    model.set("overlay", "metric");
    model.set("overlay_metric", "customers");
    expect(model.get("_charts")).toEqual({ overlay: "metric", metric: "customers" });
    expect(seen).toEqual(["emotion", "emotion", "metric", "metric"]);
    model.off("change:_charts");
    model.set("overlay", "emotion");
    expect(seen.length).toBe(5);
  });
});
