// Data on the map (issue 4): A/B figures, names from event keys, segment
// selects, the Insights panel, and how the view wires them to the model.
import { afterEach, describe, expect, it, vi } from "vitest";
import NAME_CASES from "../../tests/data/readable_name_cases.json";

// jsdom has no canvas; vega (charts) probes one at import time.
vi.hoisted(() => {
  (HTMLCanvasElement.prototype as any).getContext = () => null;
});

import widget from "../src/index";
import type { JourneyView } from "../src/view/journey-view";
import { abBlock, abFigures, fmtPp, fmtSide } from "../src/components/ab";
import { fillSelect, insightGroups, insightsBody, kindLabel, segmentOptions, severityLevel, type InsightHost } from "../src/components/insights";
import { addKeyOp } from "../src/model/ops";
import { readableName } from "../src/model/names";
import type { Insight, Op } from "../src/model/types";
import { FakeModel, sampleDoc } from "./fakemodel";

afterEach(() => {
  document.body.textContent = "";
});

const INSIGHTS: Insight[] = [
  { kind: "unmapped_key", category: "data", severity: 0.31, target: null, message: "41 events have key 'newsletter_open', which is on no touchpoint", value: 41, details: { key: "newsletter_open", count: 41, suggested_stage: "buy" } },
  { kind: "dropoff", category: "bottleneck", severity: 0.4, target: "buy", message: "827 customers (42\u00a0%) drop off between Browse and Buy", value: 827, details: {} },
  { kind: "slow_step", category: "bottleneck", severity: 0.7, target: "search", message: "after Search customers wait a median 18.9 h", value: 68000, details: {} },
  { kind: "backwards", category: "data", severity: 0.2, target: null, message: "216 customers (11\u00a0%) go back", value: 216, details: {} },
  { kind: "unmapped_key", category: "data", severity: 0.3, target: null, message: "<img src=x onerror=alert(1)> is a key", value: 3, details: { key: "<img src=x onerror=alert(1)>", count: 3, suggested_stage: null } },
];

describe("names from event keys", () => {
  it("agrees with the Python side on every shared case", () => {
    const cases = (NAME_CASES as { cases: { key: string; name: string }[] }).cases;
    expect(cases.length).toBeGreaterThan(10);
    for (const { key, name } of cases) expect(readableName(key), key).toBe(name);
  });
  it("falls back and caps the length", () => {
    expect(readableName("")).toBe("Event");
    expect(readableName("x".repeat(400)).length).toBe(300);
  });
  it("builds the add op for an unmapped key: readable name, suggested stage, the key", () => {
    const doc = sampleDoc();
    expect(addKeyOp(doc, "begin_checkout", "buy")).toEqual({
      op: "add",
      kind: "touchpoint",
      item: { id: "begin-checkout", name: "Begin checkout", stage: "buy", event_keys: ["begin_checkout"] },
      index: null,
    });
    // unknown or missing suggestion: the first stage; taken ids get a suffix
    const op = addKeyOp(doc, "Search", null) as any;
    expect(op.item).toMatchObject({ id: "search-2", name: "Search", stage: "browse", event_keys: ["Search"] });
    expect((addKeyOp(doc, "x", "gone") as any).item.stage).toBe("browse");
    expect(addKeyOp({ ...doc, stages: [] }, "x", null)).toBeNull();
  });
});

describe("A/B figures", () => {
  it("formats both sides as customers · share", () => {
    const f = abFigures({ customers: 1234, share: 0.62 }, { customers: 987, share: 0.55 });
    expect(f.a).toBe("1,234 · 62\u00a0%");
    expect(f.b).toBe("987 · 55\u00a0%");
    expect(f.text).toBe("A: 1,234 · 62\u00a0% | B: 987 · 55\u00a0%");
    expect(f.diff).toBe("−7.0 pp");
    expect(f.dir).toBe("down");
    expect(f.big).toBe(true);
  });
  it("says which way and how much, highlighting big or significant differences", () => {
    expect(abFigures({ customers: 10, share: 0.5 }, { customers: 12, share: 0.52 })).toMatchObject({ diff: "+2.0 pp", dir: "up", big: false });
    expect(abFigures({ customers: 10, share: 0.5 }, { customers: 12, share: 0.52 }, 0.01)).toMatchObject({ big: true });
    expect(abFigures({ customers: 10, share: 0.5 }, { customers: 12, share: 0.501 })).toMatchObject({ dir: "same", big: false });
    expect(abFigures({ customers: 10, share: 0.1 }, { customers: 90, share: 0.9 }).diff).toBe("+80 pp");
    expect(abFigures({ customers: 5 }, undefined)).toMatchObject({ a: "5", b: "–", diff: "", dir: "none" });
  });
  it("formats percentage points and sides", () => {
    expect(fmtPp(0)).toBe("±0 pp");
    expect(fmtPp(-0.123)).toBe("−12 pp");
    expect(fmtPp(0.045)).toBe("+4.5 pp");
    expect(fmtPp(null)).toBe("");
    expect(fmtSide({ customers: 12345, share: 0.051 })).toBe("12.3k · 5.1\u00a0%");
    expect(fmtSide(null)).toBe("–");
  });
  it("renders the block as text with exact counts in data attributes", () => {
    const b = abBlock("jw-ab-stage");
    b.set({ customers: 1234, share: 0.62 }, { customers: 987, share: 0.55 }, ["pro", "<b>free</b>"], 0.002);
    expect(b.el.textContent).toBe("A: 1,234 · 62\u00a0% | B: 987 · 55\u00a0% −7.0 pp");
    expect(b.el.getAttribute("data-a")).toBe("1234");
    expect(b.el.getAttribute("data-b")).toBe("987");
    expect(b.el.querySelector(".jw-ab-diff")!.classList.contains("jw-ab-big")).toBe(true);
    expect(b.el.querySelector(".jw-ab-b")!.getAttribute("title")).toBe("B: <b>free</b>");
    expect(b.el.querySelector("b")).toBeNull();
  });
});

describe("segment selects", () => {
  const segs = [
    { value: "free", customers: 1202, share: 0.601 },
    { value: "pro", customers: 592, share: 0.296 },
  ];
  it("lists the empty choice, then each segment with its size", () => {
    expect(segmentOptions(segs, "All customers")).toEqual([
      { value: "", label: "All customers" },
      { value: "free", label: "free · 1,202 (60\u00a0%)" },
      { value: "pro", label: "pro · 592 (30\u00a0%)" },
    ]);
    // a current value that is not listed (payload capped) is still offered
    expect(segmentOptions(segs, "x", "gold").map((o) => o.value)).toEqual(["", "free", "pro", "gold"]);
  });
  it("fills a select once and keeps options as text", () => {
    const sel = document.createElement("select");
    const opts = segmentOptions([{ value: "<i>vip</i>", customers: 3 }], "All");
    fillSelect(sel, opts, "<i>vip</i>");
    expect(sel.value).toBe("<i>vip</i>");
    expect(sel.options[1].textContent).toBe("<i>vip</i> · 3");
    expect(sel.querySelector("i")).toBeNull();
    const first = sel.options[0];
    fillSelect(sel, opts, "");
    expect(sel.options[0]).toBe(first); // not rebuilt
    expect(sel.value).toBe("");
  });
});

describe("insights panel", () => {
  function host(canAdd = true) {
    const selected: string[] = [];
    const sent: Op[][] = [];
    let answer = true;
    const h: InsightHost & { selected: string[]; sent: Op[][]; fail(): void } = {
      doc: sampleDoc(),
      canAdd,
      select: (id) => selected.push(id),
      sendOps: (ops) => {
        sent.push(ops);
        return Promise.resolve(answer);
      },
      selected,
      sent,
      fail: () => (answer = false),
    };
    return h;
  }

  it("groups bottlenecks, path deviations and data problems, ranked by severity", () => {
    const [b, c, d] = insightGroups([...INSIGHTS, { kind: "steps_back", category: "conformance", severity: 0.1, target: "s1", message: "back" }]);
    expect(b.items.map((i) => i.kind)).toEqual(["slow_step", "dropoff"]);
    expect(c.items.map((i) => i.kind)).toEqual(["steps_back"]);
    expect(kindLabel("skipped_stage")).toBe("Skipped stage");
    expect(d.items.map((i) => i.severity)).toEqual([0.31, 0.3, 0.2]);
    expect(insightGroups(undefined).map((g) => g.items.length)).toEqual([0, 0, 0]);
    expect(severityLevel(0.7)).toBe("high");
    expect(severityLevel(0.31)).toBe("medium");
    expect(severityLevel(undefined)).toBe("low");
    expect(kindLabel("feedback_invalid_score")).toBe("Feedback invalid score");
  });

  it("lists messages as text; insights with a target select it", () => {
    const ho = host();
    const el = insightsBody(ho, INSIGHTS);
    document.body.appendChild(el);
    const rows = Array.from(el.querySelectorAll(".jw-insight"));
    expect(rows.length).toBe(5);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain("<img src=x onerror=alert(1)> is a key");
    const slow = el.querySelector('[data-target="search"]') as HTMLElement;
    expect(slow.getAttribute("role")).toBe("button");
    expect(slow.querySelector(".jw-insight-target")!.textContent).toBe("Search");
    slow.click();
    slow.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(ho.selected).toEqual(["search", "search"]);
    // no target: not a button
    expect((el.querySelector('[data-insight="backwards"]') as HTMLElement).getAttribute("role")).toBeNull();
  });

  it("offers Add to map for unmapped keys and sends the add op", async () => {
    const ho = host();
    const el = insightsBody(ho, INSIGHTS);
    const row = el.querySelector('[data-key="newsletter_open"]') as HTMLElement;
    const btn = row.querySelector(".jw-add-to-map") as HTMLButtonElement;
    expect(btn.textContent).toBe("Add to map");
    expect(row.querySelector(".jw-insight-hint")!.textContent).toBe("as “Newsletter open” in Buy");
    btn.click();
    expect(btn.disabled).toBe(true);
    expect(ho.sent).toEqual([[{ op: "add", kind: "touchpoint", item: { id: "newsletter-open", name: "Newsletter open", stage: "buy", event_keys: ["newsletter_open"] }, index: null }]]);
    expect(ho.selected).toEqual([]); // the button does not select anything itself
    // the key that looks like markup becomes a name, as text
    const odd = el.querySelector('[data-key="<img src=x onerror=alert(1)>"]') as HTMLElement;
    expect(odd.querySelector(".jw-insight-hint")!.textContent).toBe("as “<img src=x onerror=alert(1)>” in Browse");
  });

  it("gives the button back when Python refuses", async () => {
    const ho = host();
    ho.fail();
    const el = insightsBody(ho, INSIGHTS);
    const btn = el.querySelector(".jw-add-to-map") as HTMLButtonElement;
    document.body.appendChild(el);
    btn.click();
    await Promise.resolve();
    await Promise.resolve();
    expect(btn.disabled).toBe(false);
    expect(btn.textContent).toBe("Add to map");
  });

  it("has no Add to map buttons when adding is not possible (read-only)", () => {
    const el = insightsBody(host(false), INSIGHTS);
    expect(el.querySelectorAll(".jw-add-to-map").length).toBe(0);
    expect(el.querySelectorAll(".jw-insight").length).toBe(5);
  });
});

// ---------------------------------------------------------------- the view

function metrics(extra: Record<string, any> = {}) {
  return {
    live: true,
    touchpoints: {
      home: { customers: 900, share: 0.9, events: 1200 },
      search: { customers: 500, share: 0.5, events: 700 },
      checkout: { customers: 200, share: 0.2, events: 210 },
    },
    stages: {
      browse: { customers: 1000, share: 1, conversion: null, dropoff: null },
      buy: { customers: 200, share: 0.2, conversion: 0.2, dropoff: 800, dropoff_rate: 0.8 },
      after: { customers: 0, share: 0, conversion: 0, dropoff: 200, dropoff_rate: 1 },
    },
    feedback: {},
    insights: INSIGHTS,
    segments: [
      { value: "free", customers: 600, share: 0.6 },
      { value: "pro", customers: 400, share: 0.4 },
    ],
    segment: null,
    segment_column: "plan",
    customers: 1000,
    compare: null,
    ...extra,
  };
}

function mount(state: Record<string, any> = {}) {
  const model = new FakeModel({ _doc: sampleDoc(), segment: "", compare: "", _metrics: metrics(), ...state });
  const el = document.createElement("div");
  document.body.appendChild(el);
  widget.render({ model, el });
  const view = (el as any).__journeyView as JourneyView;
  return { model, el, view };
}

describe("the view's data tools", () => {
  it("shows the segment selects only with live data that has segments", () => {
    const { el, model } = mount();
    const tools = el.querySelector(".jw-data-tools") as HTMLElement;
    expect(tools.hidden).toBe(false);
    const seg = el.querySelector(".jw-segment-select") as HTMLSelectElement;
    expect(Array.from(seg.options).map((o) => o.value)).toEqual(["", "free", "pro"]);
    model.set("_metrics", metrics({ segments: [] }));
    expect(tools.hidden).toBe(true);
    model.set("_metrics", metrics({ live: undefined }));
    expect(tools.hidden).toBe(true); // an exported page: nobody would answer
  });

  it("switching the select sets the synced trait; Python's value shows in the select", () => {
    const { el, model } = mount();
    const seg = el.querySelector(".jw-segment-select") as HTMLSelectElement;
    seg.value = "pro";
    seg.dispatchEvent(new Event("change"));
    expect(model.get("segment")).toBe("pro");
    expect(model.saved).toBeGreaterThan(0);
    const cmp = el.querySelector(".jw-compare-select") as HTMLSelectElement;
    cmp.value = "free";
    cmp.dispatchEvent(new Event("change"));
    expect(model.get("compare")).toBe("free");
    model.set("segment", "free");
    expect(seg.value).toBe("free");
  });

  it("compare mode shows A and B side by side on stages and touchpoints", () => {
    const compare = {
      segment: "free",
      customers: 600,
      touchpoints: { home: { customers: 540, share: 0.9 }, search: { customers: 240, share: 0.4 } },
      stages: { browse: { customers: 600, share: 1, conversion: null, p: null }, buy: { customers: 60, share: 0.1, conversion: 0.1, p: 0.001 } },
    };
    const { el, model } = mount({ segment: "pro", compare: "free", _metrics: metrics({ segment: "pro", compare }) });
    expect(el.querySelector(".jw-root")!.classList.contains("jw-comparing")).toBe(true);
    const buy = el.querySelector('.jw-stage[data-id="buy"] .jw-ab') as HTMLElement;
    expect(buy.textContent).toBe("A: 200 · 20\u00a0% | B: 60 · 10\u00a0% −10 pp");
    expect(buy.getAttribute("data-a")).toBe("200");
    expect(buy.getAttribute("data-b")).toBe("60");
    expect(buy.querySelector(".jw-ab-diff")!.classList.contains("jw-ab-big")).toBe(true);
    expect(el.querySelectorAll('.jw-stage[data-id="buy"] .jw-ab-barrow').length).toBe(2);
    const home = el.querySelector('.jw-tp[data-id="home"] .jw-ab') as HTMLElement;
    expect(home.getAttribute("data-a")).toBe("900");
    expect(home.getAttribute("data-b")).toBe("540");
    expect(home.querySelector(".jw-ab-b .jw-ab-val")!.textContent).toBe("540 · 90\u00a0%");
    // the plain customers figure is replaced by the A/B block
    expect(el.querySelector('.jw-tp[data-id="home"] .jw-fig-customers')).toBeNull();
    // the metrics lane too
    expect(el.querySelector('.jw-mblock[data-id="search"] .jw-ab')!.getAttribute("data-b")).toBe("240");
    // compare off: back to the plain figures
    model.set("compare", "");
    model.set("_metrics", metrics({ segment: "pro" }));
    expect(el.querySelector('.jw-stage[data-id="buy"] .jw-ab')).toBeNull();
    expect((el.querySelector('.jw-tp[data-id="home"] .jw-ab') as HTMLElement).hidden).toBe(true);
    expect(el.querySelector('.jw-tp[data-id="home"] .jw-fig-customers')!.textContent).toMatch(/^900 customers\u00a0·\u00a0\d+\u00a0%$/);
    expect(el.querySelector(".jw-root")!.classList.contains("jw-comparing")).toBe(false);
  });

  it("the Insights button counts, opens the panel, and Add to map goes through the op path", () => {
    const { el, model } = mount();
    const btn = el.querySelector(".jw-insights-btn") as HTMLButtonElement;
    expect(btn.hidden).toBe(false);
    expect(btn.querySelector(".jw-count")!.textContent).toBe("5");
    const box = el.querySelector(".jw-insights") as HTMLElement;
    expect(box.hidden).toBe(true);
    btn.click();
    expect(box.hidden).toBe(false);
    expect(btn.getAttribute("aria-expanded")).toBe("true");
    expect(box.querySelector(".jw-insights-sum")!.textContent).toBe("2 bottlenecks · 0 path deviations · 3 data problems");
    (box.querySelector(".jw-add-to-map") as HTMLButtonElement).click();
    const sent = model.sent.filter((m) => m.type === "ops");
    expect(sent.length).toBe(1);
    expect(sent[0].ops[0]).toMatchObject({ op: "add", kind: "touchpoint", item: { name: "Newsletter open", stage: "buy", event_keys: ["newsletter_open"] } });
    // clicking an insight with a target selects it (and syncs `selected`)
    (box.querySelector('[data-target="buy"]') as HTMLElement).click();
    expect(model.get("selected")).toBe("buy");
    // the problem leaves the panel when Python's metrics no longer list it
    model.set("_metrics", metrics({ insights: INSIGHTS.filter((i) => (i.details as any).key !== "newsletter_open") }));
    expect(box.querySelector('[data-key="newsletter_open"]')).toBeNull();
    expect(btn.querySelector(".jw-count")!.textContent).toBe("4");
    // no data bound: no button
    model.set("_metrics", {});
    expect(btn.hidden).toBe(true);
    expect(box.hidden).toBe(true);
  });

  it("read-only maps list insights without Add to map", () => {
    const { el } = mount({ editable: false });
    (el.querySelector(".jw-insights-btn") as HTMLButtonElement).click();
    expect(el.querySelectorAll(".jw-insight").length).toBe(5);
    expect(el.querySelectorAll(".jw-add-to-map").length).toBe(0);
  });
});
