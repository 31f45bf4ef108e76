// The canvas at any size (issue 14): wrapping layout, semantic zoom, search,
// labelled figures, pain points in their lanes, lanes' colour / icon / collapse.
import { afterEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  (HTMLCanvasElement.prototype as any).getContext = () => null;
});

import widget from "../src/index";
import { cardColumnsOf, computeLayout, gridColumns, naturalWidth, CHIP_COL_PX, CHIP_SLOT_PX, LANE_HEADER_COMPACT_PX, LANE_HEADER_PX, SLOT_PX } from "../src/view/layout";
import { COMPACT_BASE, FULL_MIN, planZoom, zoomLabel, zoomSetting } from "../src/view/zoom-plan";
import { fold, searchMap, stepHit } from "../src/view/search-logic";
import { countText, feedbackText, hasData, metricText, shortCount, stageFigures, touchpointFigures, unitLabel } from "../src/components/figures";
import { hasIcon } from "../src/components/icons";
import { LANE_COLORS, LANE_ICONS, laneColorHex, laneIcon } from "../src/model/vocabulary";
import { applyOp } from "../src/model/apply";
import { FakeModel, sampleDoc } from "./fakemodel";
import type { JourneyView } from "../src/view/journey-view";

/** A map of `stages` stages with `perStage` touchpoints each. */
function bigDoc(stages: number, perStage: number, cardColumns?: number): any {
  const doc = sampleDoc();
  doc.stages = Array.from({ length: stages }, (_, i) => ({ id: `s${i}`, name: `Stage ${i + 1}` }));
  doc.touchpoints = [];
  for (let s = 0; s < stages; s++)
    for (let k = 0; k < perStage; k++) doc.touchpoints.push({ id: `t${s}-${k}`, name: `Step ${k}`, stage: `s${s}`, emotion: 0 });
  doc.cards = [];
  doc.comments = [];
  if (cardColumns !== undefined) doc.layout = { card_columns: cardColumns };
  return doc;
}

function mount(state: Record<string, any> = {}) {
  const model = new FakeModel({ _doc: sampleDoc(), ...state });
  const el = document.createElement("div");
  document.body.appendChild(el);
  widget.render({ model, el });
  const view = (el as any).__journeyView as JourneyView;
  return { model, el, view };
}

afterEach(() => {
  document.body.textContent = "";
});

describe("layout that wraps", () => {
  it("makes a stage at most card_columns wide, so width grows with stages, not touchpoints", () => {
    const l = computeLayout(bigDoc(30, 20));
    expect(l.cardColumns).toBe(3);
    expect(new Set(l.slots.values())).toEqual(new Set([3]));
    expect(l.total).toBe(90);
    // 30 stages x 3 card columns at 184 px + the lane titles: well under 21,000 px
    expect(naturalWidth(l, "full")).toBe(LANE_HEADER_PX + 90 * SLOT_PX + 2);
    expect(naturalWidth(l, "full")).toBeLessThan(21_000);
    // doubling the touchpoints keeps the width
    expect(naturalWidth(computeLayout(bigDoc(30, 40)), "full")).toBe(naturalWidth(l, "full"));
  });
  it("follows the document's card_columns, clamped to 1..6", () => {
    expect(computeLayout(bigDoc(2, 5, 1)).total).toBe(2);
    expect(computeLayout(bigDoc(2, 5, 5)).total).toBe(10);
    expect(cardColumnsOf({ ...sampleDoc(), layout: { card_columns: 99 } })).toBe(6);
    expect(cardColumnsOf({ ...sampleDoc(), layout: { card_columns: 0 } })).toBe(1);
    expect(cardColumnsOf({ ...sampleDoc(), layout: { card_columns: "4" } })).toBe(3);
    expect(cardColumnsOf(sampleDoc())).toBe(3);
  });
  it("keeps small stages as wide as their touchpoints and spreads big ones' emotion points over the stage", () => {
    const l = computeLayout(bigDoc(2, 6));
    // stage 1: 6 touchpoints over 3 columns, evenly: centres at (i + 0.5) * 3 / 6 of 6 columns
    expect(l.x.get("t0-0")).toBeCloseTo((0.25 / 6) * 100);
    expect(l.x.get("t0-5")).toBeCloseTo((2.75 / 6) * 100);
    expect(l.x.get("t1-0")).toBeCloseTo((3.25 / 6) * 100);
    const small = computeLayout(sampleDoc());
    expect([...small.slots.values()]).toEqual([2, 1, 1]);
    expect(small.x.get("home")).toBeCloseTo(12.5);
  });
  it("writes grid columns for full cards, chips and chips that share the room", () => {
    const l = computeLayout(sampleDoc());
    expect(gridColumns(l, 150, "full")).toBe(`150px minmax(${2 * SLOT_PX}px, 2fr) minmax(${SLOT_PX}px, 1fr) minmax(${SLOT_PX}px, 1fr)`);
    expect(gridColumns(l, 90, "compact")).toBe(`90px minmax(${2 * CHIP_SLOT_PX}px, 2fr) minmax(${CHIP_SLOT_PX}px, 1fr) minmax(${CHIP_SLOT_PX}px, 1fr)`);
    expect(gridColumns(l, 90, "compact-fit")).toBe(`90px minmax(${CHIP_COL_PX}px, 2fr) minmax(${CHIP_COL_PX}px, 1fr) minmax(${CHIP_COL_PX}px, 1fr)`);
  });
});

describe("the card columns setting", () => {
  it("is a top-level field edited through the op path; documents from before it get its default", () => {
    const doc = sampleDoc(); // no `layout` (written before the field existed)
    const renamed = applyOp(doc, { op: "update", id: "demo", fields: { title: "Renamed" } });
    expect(renamed.doc.title).toBe("Renamed");
    const wider = applyOp(doc, { op: "update", id: "demo", fields: { layout: { card_columns: 5 } } });
    expect((wider.doc as any).layout).toEqual({ card_columns: 5 });
    expect(() => applyOp(doc, { op: "update", id: "demo", fields: { layout: { card_columns: 9 } } })).toThrow(/card_columns: must be at most 6/);
  });
});

describe("semantic zoom", () => {
  const big = computeLayout(bigDoc(30, 20));
  const small = computeLayout(sampleDoc());
  it("reads the trait: 'fit' or a factor clamped to 0.25..2", () => {
    expect(zoomSetting("fit")).toBe("fit");
    expect(zoomSetting(0.5)).toBe(0.5);
    expect(zoomSetting("0.75")).toBe(0.75);
    expect(zoomSetting(5)).toBe(2);
    expect(zoomSetting(0.01)).toBe(0.25);
    expect(zoomSetting("big")).toBe(1);
    expect(zoomSetting(null)).toBe(1);
    expect(zoomLabel(0.75)).toBe("75 %");
    expect(zoomLabel("fit")).toBe("Fit all stages");
  });
  it("draws full cards down to FULL_MIN and chips below, at their own scale", () => {
    expect(planZoom(1, big, 1200)).toEqual({ mode: "full", scale: 1 });
    expect(planZoom(FULL_MIN, big, 1200)).toEqual({ mode: "full", scale: FULL_MIN });
    expect(planZoom(0.5, big, 1200)).toEqual({ mode: "compact", scale: 0.5 / COMPACT_BASE });
    expect(planZoom(0.25, big, 1200)).toEqual({ mode: "compact", scale: 0.25 / COMPACT_BASE });
  });
  it("fits every stage of a big map as chips at full size when they fit", () => {
    const plan = planZoom("fit", big, 1240);
    expect(plan.mode).toBe("compact-fit");
    expect(plan.scale).toBe(1);
    expect(naturalWidth(big, "compact-fit")).toBe(LANE_HEADER_COMPACT_PX + 30 * CHIP_COL_PX + 2);
    expect(naturalWidth(big, "compact-fit")).toBeLessThanOrEqual(1240);
  });
  it("shrinks full cards for fit while they stay readable, and never zooms in", () => {
    const w = naturalWidth(small, "full");
    expect(planZoom("fit", small, w + 100)).toEqual({ mode: "full", scale: 1 });
    const p = planZoom("fit", small, Math.ceil(w * 0.8));
    expect(p.mode).toBe("full");
    expect(p.scale).toBeGreaterThanOrEqual(0.79);
    expect(p.scale).toBeLessThanOrEqual(0.8);
    expect(planZoom("fit", small, Math.floor(w * 0.5)).mode).toBe("compact-fit");
  });
  it("scales chips down when even they do not fit", () => {
    const huge = computeLayout(bigDoc(100, 2));
    const plan = planZoom("fit", huge, 1000);
    expect(plan.mode).toBe("compact-fit");
    expect(plan.scale).toBeLessThan(1);
    expect(naturalWidth(huge, "compact-fit") * plan.scale).toBeLessThanOrEqual(1000);
  });
});

describe("search", () => {
  it("finds stages, touchpoints (their own pain points too), cards and lanes in reading order", () => {
    const doc = sampleDoc();
    doc.touchpoints[2].pain_points = ["Search is slow"];
    expect(searchMap(doc, "search").map((h) => `${h.kind}:${h.id}:${h.field}`)).toEqual([
      "touchpoint:search:name",
      "touchpoint:checkout:pain_points",
    ]);
    expect(searchMap(doc, "SLOW").map((h) => h.id)).toEqual(["checkout", "c2"]);
    expect(searchMap(doc, "pain").map((h) => h.kind)).toEqual(["lane"]);
    expect(searchMap(doc, "  ")).toEqual([]);
  });
  it("ignores case and accents", () => {
    const doc = sampleDoc();
    doc.stages[0].name = "Découverte";
    expect(fold("DÉCOUVERTE  x")).toBe("decouverte x");
    expect(searchMap(doc, "decouv").map((h) => h.id)).toEqual(["browse"]);
  });
  it("steps through matches, wrapping both ways", () => {
    expect(stepHit(3, -1)).toBe(0);
    expect(stepHit(3, 2)).toBe(0);
    expect(stepHit(3, 0, true)).toBe(2);
    expect(stepHit(3, -1, true)).toBe(2);
    expect(stepHit(0, 0)).toBe(-1);
  });
});

describe("labelled figures", () => {
  it("says what each number is and its unit", () => {
    const figs = touchpointFigures({ customers: 2686, share: 0.54, median_next_s: 21420 }, { score: 79.3, n: 120, kind: "csat" }, "customers", true);
    expect(figs.map((f) => f.text)).toEqual(["2,686 customers", "54\u00a0%", "5h 57m to next", "CSAT 79\u00a0%"]);
    expect(figs.every((f) => f.title.length > 10)).toBe(true);
  });
  it("reads 'no data' for a touchpoint or stage without figures once data is bound, nothing before", () => {
    expect(touchpointFigures(undefined, undefined, "customers", true).map((f) => f.text)).toEqual(["no data"]);
    expect(touchpointFigures(undefined, undefined, "customers", false)).toEqual([]);
    expect(stageFigures({}, "customers", true).map((f) => f.text)).toEqual(["no data"]);
  });
  it("names feedback scores by their scale and never shows a star and 0 for no data", () => {
    expect(feedbackText({ score: 0, kind: "csat" })).toBe("CSAT 0\u00a0%");
    expect(feedbackText({ score: 12.4, kind: "nps" })).toBe("NPS +12");
    expect(feedbackText({ score: -3, kind: "nps" })).toBe("NPS −3");
    expect(feedbackText({ score: 4.25, kind: "mean" })).toBe("Score 4.3");
    expect(feedbackText({ score: null })).toBeNull();
    expect(feedbackText(undefined)).toBeNull();
  });
  it("never shows a metric label without a value", () => {
    expect(metricText("exit rate", { exit_rate: 0.12 }).text).toBe("exit rate 12\u00a0%");
    expect(metricText("exit rate", {}).text).toBe("exit rate: no data");
    expect(metricText("median next s", { median_next_s: 90 }).text).toBe("median next s 2m");
  });
  it("reads the unit from the payload (customers by default) and counts in the singular", () => {
    expect(unitLabel({})).toBe("customers");
    expect(unitLabel({ unit_label: "sessions" } as any)).toBe("sessions");
    expect(countText(1, "sessions")).toBe("1 session");
    expect(countText(12400, "customers")).toBe("12.4k customers");
    expect(shortCount(2686)).toBe("2.7k");
    expect(shortCount(950)).toBe("950");
    expect(shortCount(27_400)).toBe("27k");
    expect(hasData({ touchpoints: { a: {} } })).toBe(true);
    expect(hasData({})).toBe(false);
  });
  it("stage figures: customers, from the previous stage, lost after it", () => {
    const f = stageFigures({ customers: 9300, conversion: 0.75, dropoff: 5800, dropoff_rate: 0.62 }, "customers", true);
    expect(f.map((x) => x.text)).toEqual(["9,300 customers", "75\u00a0% from previous", "−5,800 lost (62\u00a0%)"]);
  });
});

describe("lane palette and icons", () => {
  it("draws every vocabulary icon and maps colours by name only", () => {
    for (const i of LANE_ICONS) expect(hasIcon(i.id), i.id).toBe(true);
    for (const c of LANE_COLORS) expect(c.hex).toMatch(/^#[0-9a-f]{6}$/);
    expect(laneColorHex("red")).toBe(LANE_COLORS.find((c) => c.id === "red")!.hex);
    expect(laneColorHex("#ff0000")).toBe("");
    expect(laneColorHex("red;background:url(x)")).toBe("");
    expect(laneIcon({ kind: "needs", icon: "flag" })).toBe("flag");
    expect(laneIcon({ kind: "needs", icon: "skull" })).toBe("needs");
    expect(laneIcon({ kind: "needs" })).toBe("needs");
  });
});

describe("the canvas in the view", () => {
  it("wraps touchpoints into the stage's card columns and puts their pain points in the pain lane, in their column", () => {
    const doc = bigDoc(2, 5);
    doc.lanes = sampleDoc().lanes;
    doc.touchpoints[4].pain_points = ["Slow reply", "Lost form"];
    doc.touchpoints[1].pain_points = ["Too many fields"];
    const { el } = mount({ _doc: doc });
    const box = el.querySelector('.jw-cell[data-lane="touchpoints"][data-stage="s0"] .jw-tps') as HTMLElement;
    expect(box.style.getPropertyValue("--jw-n")).toBe("3");
    expect(box.querySelectorAll(".jw-tp").length).toBe(5);
    const notes = Array.from(el.querySelectorAll('.jw-cell[data-lane="pain"][data-stage="s0"] .jw-tp-note-group')) as HTMLElement[];
    expect(notes.map((n) => n.getAttribute("data-id"))).toEqual(["t0-1", "t0-4"]);
    // in the touchpoint's card column: index 1 -> column 2, index 4 -> column 2 (second row)
    expect(notes.map((n) => n.style.gridColumn)).toEqual(["2", "2"]);
    expect(notes[1].querySelector(".jw-note-from")!.textContent).toBe("Step 4");
    expect(Array.from(notes[1].querySelectorAll(".jw-note")).map((n) => n.textContent)).toEqual(["Slow reply", "Lost form"]);
    expect(notes[1].getAttribute("aria-label")).toBe("Pain points of touchpoint Step 4: Slow reply; Lost form");
  });
  it("counts a touchpoint's pain points on its card only when the map has no pain points lane", () => {
    const doc = sampleDoc();
    doc.touchpoints[0].pain_points = ["a", "b"];
    const withLane = mount({ _doc: doc });
    expect((withLane.el.querySelector('.jw-tp[data-id="home"] .jw-tp-notes-count') as HTMLElement).hidden).toBe(true);
    document.body.textContent = "";
    doc.lanes = doc.lanes.filter((l: any) => l.kind !== "pain_points");
    const without = mount({ _doc: doc });
    const count = without.el.querySelector('.jw-tp[data-id="home"] .jw-tp-notes-count') as HTMLElement;
    expect(count.hidden).toBe(false);
    expect(count.textContent).toBe("2 pain points");
  });
  it("collapses a lane from its title and summarises what it hides", () => {
    const { el } = mount();
    const fold = el.querySelector('.jw-lane[data-id="pain"] .jw-fold') as HTMLButtonElement;
    expect(fold.getAttribute("aria-expanded")).toBe("true");
    expect(fold.getAttribute("aria-label")).toBe("Collapse lane Pain points");
    fold.click();
    const lane = el.querySelector('.jw-lane[data-id="pain"]') as HTMLElement;
    expect(lane.classList.contains("jw-lane-collapsed")).toBe(true);
    expect(fold.getAttribute("aria-expanded")).toBe("false");
    expect(lane.querySelector(".jw-lane-summary")!.textContent).toBe("1 card");
    expect(el.querySelector('.jw-card[data-id="c2"]')).toBeNull();
    expect(el.querySelector('.jw-cell[data-lane="pain"][data-stage="buy"]')!.classList.contains("jw-collapsed")).toBe(true);
    fold.click();
    expect(el.querySelector('.jw-card[data-id="c2"]')).not.toBeNull();
  });
  it("gives a lane its palette colour and icon, never a CSS value from the document", () => {
    const doc = sampleDoc();
    doc.lanes[3] = { ...doc.lanes[3], color: "purple", icon: "flag" };
    doc.lanes[0] = { ...doc.lanes[0], color: "red;background:url(javascript:1)" };
    const { el } = mount({ _doc: doc });
    const pain = el.querySelector('.jw-lane[data-id="pain"]') as HTMLElement;
    expect(pain.style.getPropertyValue("--jw-lane-color")).toBe(laneColorHex("purple"));
    expect(pain.querySelector(".jw-lane-icon [data-i]")!.getAttribute("data-i")).toBe("flag");
    const cell = el.querySelector('.jw-cell[data-lane="pain"][data-stage="buy"]') as HTMLElement;
    expect(cell.style.getPropertyValue("--jw-lane-color")).toBe(laneColorHex("purple"));
    const actions = el.querySelector('.jw-lane[data-id="actions"]') as HTMLElement;
    expect(actions.style.getPropertyValue("--jw-lane-color")).toBe("");
    expect(actions.getAttribute("style") || "").not.toContain("url");
  });
  it("searches from the toolbar: highlights matches, counts them, steps with Enter", () => {
    const { el } = mount();
    const input = el.querySelector(".jw-search-input") as HTMLInputElement;
    expect(input.getAttribute("aria-label")).toContain("Search the map");
    input.value = "s";
    input.dispatchEvent(new Event("input"));
    const count = el.querySelector(".jw-search-count")!;
    const n = searchMap(sampleDoc(), "s").length;
    expect(count.textContent).toBe(`1 / ${n}`);
    expect(el.querySelectorAll(".jw-match-current").length).toBeGreaterThan(0);
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(count.textContent).toBe(`2 / ${n}`);
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true, bubbles: true }));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", shiftKey: true, bubbles: true }));
    expect(count.textContent).toBe(`${n} / ${n}`);
    input.value = "zzz";
    input.dispatchEvent(new Event("input"));
    expect(count.textContent).toBe("No match");
    expect(el.querySelectorAll(".jw-match").length).toBe(0);
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(input.value).toBe("");
  });
  it("lists the stages to jump to", () => {
    const { el } = mount();
    const sel = el.querySelector(".jw-goto-stage") as HTMLSelectElement;
    expect(Array.from(sel.options).map((o) => o.textContent)).toEqual(["Go to stage…", "01 Browse", "02 Buy", "03 After"]);
  });
  it("follows the zoom trait: chips below readable sizes, full cards again when zoomed in; the select sets the trait", () => {
    const { el, model, view } = mount({ zoom: 1 });
    const root = el.querySelector(".jw-root")!;
    const grid = el.querySelector(".jw-grid") as HTMLElement;
    expect(root.classList.contains("jw-compact")).toBe(false);
    model.set("zoom", 0.5);
    expect(root.classList.contains("jw-compact")).toBe(true);
    expect(grid.getAttribute("data-mode")).toBe("compact");
    expect(grid.style.gridTemplateColumns.startsWith(`${LANE_HEADER_COMPACT_PX}px`)).toBe(true);
    expect(el.querySelector('.jw-tp[data-id="home"] .jw-tp-chip')).not.toBeNull();
    model.set("zoom", 1.5);
    expect(root.classList.contains("jw-compact")).toBe(false);
    expect(view.zoom.plan).toEqual({ mode: "full", scale: 1.5 });
    expect(grid.getAttribute("data-zoom")).toBe("1.5");
    const sel = el.querySelector(".jw-zoom") as HTMLSelectElement;
    expect(sel.value).toBe("1.5");
    sel.value = "fit";
    sel.dispatchEvent(new Event("change"));
    expect(model.get("zoom")).toBe("fit");
    expect(model.saved).toBeGreaterThan(0);
    // a factor that is not in the list gets its own entry
    model.set("zoom", 0.6);
    expect(sel.value).toBe("0.6");
    expect(sel.selectedOptions[0].textContent).toBe("60 %");
  });
  it("edits the card columns from the journey's details through the one op path", () => {
    const { el, model, view } = mount();
    view.select("demo", true);
    const sel = el.querySelector('.jw-frow[data-key="layout"] select') as HTMLSelectElement;
    expect(sel.value).toBe("3");
    sel.value = "5";
    sel.dispatchEvent(new Event("change"));
    const sent = model.sent.filter((m) => m.type === "ops").pop();
    expect(sent.ops).toEqual([{ op: "update", id: "demo", fields: { layout: { card_columns: 5 } } }]);
  });
  it("edits a lane's colour and icon from its details", () => {
    const { el, model, view } = mount();
    view.select("pain", true);
    const color = el.querySelector('.jw-frow[data-key="color"] select') as HTMLSelectElement;
    expect(Array.from(color.options).map((o) => o.value)).toEqual(["", ...LANE_COLORS.map((c) => c.id)]);
    color.value = "teal";
    color.dispatchEvent(new Event("change"));
    const sent = model.sent.filter((m) => m.type === "ops").pop();
    expect(sent.ops).toEqual([{ op: "update", id: "pain", fields: { color: "teal" } }]);
  });
  it("puts charts added at a stage in their own row, not in the stage header", () => {
    const { el } = mount();
    const cell = el.querySelector('[data-kind="stage-charts"][data-stage="buy"]') as HTMLElement;
    expect(cell.style.gridRow).toBe("2");
    expect(cell.style.gridColumn).toBe("3");
  });
});
