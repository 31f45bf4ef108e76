// Issue 10 on the page: figures that count the unit and say what they count, no-data
// stages, skip / back rates, flow arcs, and the data's suggestions (opportunities,
// personas from clusters) with their buttons.
import { describe, expect, it } from "vitest";
import { analyticsBody } from "../src/components/analytics";
import { ciText, countOf, definitionText, stageFigures, touchpointFigures, unitLabel } from "../src/components/figures";
import { stageArcs, touchpointArcs } from "../src/view/flows";
import type { JourneyDoc, Metrics } from "../src/model/types";

const DOC: JourneyDoc = {
  id: "j", title: "J", created: "", modified: "",
  stages: [{ id: "a", name: "Browse" }, { id: "b", name: "Cart" }, { id: "c", name: "Pay" }],
  touchpoints: [{ id: "t1", name: "Home", stage: "a" }, { id: "t2", name: "Basket", stage: "b" }, { id: "t3", name: "Card", stage: "c" }],
};

describe("figures say what they count", () => {
  it("counts the unit: reached, units, else customers", () => {
    expect(countOf({ reached: 5, customers: 3 })).toBe(5);
    expect(countOf({ units: 7, customers: 3 })).toBe(7);
    expect(countOf({ customers: 3 })).toBe(3);
    expect(countOf(null)).toBeUndefined();
    expect(unitLabel({ unit: "session" })).toBe("sessions");
    expect(unitLabel({ unit: "customer" })).toBe("customers");
  });

  it("puts the interval and the definition in the tooltips; skip / back under the stage", () => {
    const def = definitionText({ definition: "ordered funnel · sessions · 7-day window" });
    expect(def).toBe(" — ordered funnel · sessions · 7-day window");
    const figs = stageFigures(
      { reached: 40, customers: 30, share: 0.4, share_ci: [0.31, 0.5], conversion: 0.8, conversion_ci: [0.66, 0.89], dropoff: 10, dropoff_rate: 0.2,
        skipped: 12, skip_rate: 0.25, skip_ci: [0.15, 0.39], out_of_order: 2, back_rate: 0.05, back_ci: [0.01, 0.17] },
      "sessions", true, def,
    );
    expect(figs.map((f) => f.key)).toEqual(["customers", "conversion", "dropoff", "conformance"]);
    expect(figs[0].text).toBe("40 sessions");
    expect(figs[1].title).toContain("95\u00a0% interval 66\u00a0%–89\u00a0%");
    expect(figs[1].title).toContain("ordered funnel · sessions · 7-day window");
    expect(figs[3].text).toBe("skip 25\u00a0% · back 5.0\u00a0%");
    expect(figs[3].title).toContain("12 sessions (25\u00a0%) reached a later stage without this one");
    expect(figs[3].title).toContain("stepped back");
    expect(ciText(null)).toBe("");
  });

  it("a stage without data is 'no data': no count, no conversion, no drop", () => {
    const figs = stageFigures({ reached: 0, customers: 0, no_data: true, conversion: null, dropoff: undefined }, "customers", true);
    expect(figs.map((f) => [f.key, f.text])).toEqual([["none", "no data"]]);
    expect(stageFigures({ no_data: true }, "customers", false)).toEqual([]);
  });

  it("a touchpoint counts units and its share carries the interval", () => {
    const figs = touchpointFigures({ units: 9, customers: 4, share: 0.09, share_ci: [0.05, 0.16] }, null, "sessions", true);
    expect(figs[0].text).toBe("9 sessions");
    expect(figs[1].title).toContain("95\u00a0% interval 5.0\u00a0%–16\u00a0%");
  });
});

describe("flows", () => {
  const names = new Map([["a", "Browse"], ["b", "Cart"], ["c", "Pay"]]);
  it("stage arcs: biggest first, kinds kept, unknown stages and self-steps left out", () => {
    const arcs = stageArcs([["a", "b", 10, 8, "forward"], ["b", "a", 3, 3, "back"], ["a", "c", 20, 9, "skip"], ["a", "zz", 5, 5, "forward"], ["a", "a", 4, 4, "forward"], "junk"], names, "sessions", "");
    expect(arcs.map((a) => [a.from, a.to, a.kind])).toEqual([["a", "c", "skip"], ["a", "b", "forward"], ["b", "a", "back"]]);
    expect(arcs[0].label).toBe("Browse → Pay: 20 (skip)");
    expect(arcs[0].title).toBe("Skip: Browse → Pay, 20 steps by 9 sessions");
    expect(stageArcs(undefined, names, "x", "")).toEqual([]);
  });

  it("touchpoint arcs: where people go next and come from, with shares", () => {
    const tps = new Map([["t1", "Home"], ["t2", "Basket"], ["t3", "Card"]]);
    const trs = [["t1", "t2", 30, 5, 20, "forward"], ["t1", "t3", 10, 5, 9, "skip"], ["t3", "t1", 4, 5, 4, "back"], ["t1", "t1", 9, 1, 3, "within"]];
    const arcs = touchpointArcs(trs, "t1", tps, "customers");
    expect(arcs.map((a) => [a.from, a.to, a.kind])).toEqual([["t1", "t2", "forward"], ["t1", "t3", "forward"], ["t3", "t1", "back"]]);
    expect(arcs[0].label).toBe("next: Basket 75\u00a0%");
    expect(arcs[2].label).toBe("from: Card 100\u00a0%");
  });
});

describe("the data's suggestions", () => {
  const m: Metrics = {
    live: true,
    opportunities: [{ target: "b", kind: "stage", reach: 100, rate: 0.6, lost: 60, value: 60, effort: 2, score: 30 }],
    clusters: [{ cluster: 0, label: "cluster:0", name: "Home & Basket <b>x</b>", units: 50, share: 0.5, conversion: 0.2, top_touchpoints: ["t1"] }],
  };
  it("offers 'Add as opportunity' and 'Persona from cluster', asking the kernel", async () => {
    const asked: [string, Record<string, unknown>][] = [];
    const host = { doc: DOC, canAdd: true, select: () => {}, ask: async (t: string, f: Record<string, unknown>) => (asked.push([t, f]), true) };
    const el = analyticsBody(host, m, "customers");
    document.body.appendChild(el);
    const opp = el.querySelector(".jw-opportunity")!;
    expect(opp.textContent).toContain("Cart: 60 customers lost (60\u00a0% drop-off) · effort 2");
    (opp.querySelector("button") as HTMLButtonElement).click();
    const cl = el.querySelector(".jw-cluster")!;
    expect(cl.querySelector("b")).toBeNull(); // names are text, never markup
    expect(cl.textContent).toContain("Home & Basket <b>x</b>");
    (cl.querySelector("button") as HTMLButtonElement).click();
    await Promise.resolve();
    expect(asked).toEqual([["add_opportunity", { target: "b" }], ["add_persona_from_cluster", { cluster: 0 }]]);
    el.remove();
  });

  it("a cluster that already has its persona on the map reads 'Added' (and again after an undo removes it, not)", () => {
    const host = { doc: DOC, canAdd: true, select: () => {}, ask: async () => true };
    const button = (doc: JourneyDoc) =>
      analyticsBody({ ...host, doc }, m, "customers").querySelector(".jw-cluster button") as HTMLButtonElement;
    const withPersona = { ...DOC, personas: [{ id: "p", name: "P", segment: { column: "cluster", values: [0] } }] } as unknown as JourneyDoc;
    expect(button(withPersona).disabled).toBe(true);
    expect(button(withPersona).textContent).toContain("Added");
    const other = { ...DOC, personas: [{ id: "p", name: "P", segment: { column: "cluster", values: [1] } }] } as unknown as JourneyDoc;
    expect(button(other).disabled).toBe(false);
    expect(button(DOC).textContent).toContain("Persona from cluster");
  });

  it("read-only: no buttons; without clusters, 'Find clusters' with a kernel", () => {
    const host = { doc: DOC, canAdd: false, select: () => {}, ask: async () => true };
    expect(analyticsBody(host, m, "customers").querySelectorAll("button").length).toBe(0);
    const none = analyticsBody(host, { live: true }, "customers");
    expect(none.querySelector('[data-group="clusters"] button')!.textContent).toContain("Find clusters");
    expect(analyticsBody(host, {}, "customers").querySelector("button")).toBeNull();
  });
});
