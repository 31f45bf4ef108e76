// A bind at work in the kernel: the `_progress` trait drives a small bar in the toolbar.
import { afterEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  (HTMLCanvasElement.prototype as any).getContext = () => null;
});

import widget from "../src/index";
import { ProgressChip } from "../src/components/progress";
import { FakeModel, sampleDoc } from "./fakemodel";

afterEach(() => {
  document.body.textContent = "";
});

describe("progress chip", () => {
  it("shows the share read and the text, and hides when the bind is over", () => {
    const chip = new ProgressChip();
    expect(chip.el.hidden).toBe(true);
    chip.render({ phase: "reading", rows: 4_000_000, total: 10_000_000, fraction: 0.4, text: "Reading rows: 4.0M of 10.0M (40 %)" });
    expect(chip.el.hidden).toBe(false);
    expect(chip.el.textContent).toBe("40%\u00a0· 4.0M rows");
    expect(chip.el.title).toBe("Reading rows: 4.0M of 10.0M (40 %)");
    expect(chip.el.getAttribute("aria-valuetext")).toBe("Reading rows: 4.0M of 10.0M (40 %)");
    expect(chip.el.getAttribute("aria-valuenow")).toBe("40");
    expect((chip.el.querySelector(".jw-progress-fill") as HTMLElement).style.width).toBe("40%");
    expect(chip.el.classList.contains("jw-progress-busy")).toBe(false);
    // an unknown total or a phase after reading: a busy bar without a value
    chip.render({ phase: "reading", rows: 10, total: null, fraction: null, text: "Reading rows: 10" });
    expect(chip.el.getAttribute("aria-valuenow")).toBeNull();
    expect(chip.el.classList.contains("jw-progress-busy")).toBe(true);
    chip.render({ phase: "sorting", rows: 10, total: 10, fraction: 1, text: "Sorting events (10 rows read)" });
    expect(chip.el.classList.contains("jw-progress-busy")).toBe(true);
    expect(chip.el.textContent).toBe("Sorting…");
    expect(chip.el.title).toBe("Sorting events (10 rows read)");
    for (const done of [{}, null, undefined, { phase: "done" }, "junk"]) {
      chip.render(done);
      expect(chip.el.hidden).toBe(true);
    }
  });

  it("renders text from the kernel as text", () => {
    const chip = new ProgressChip();
    chip.render({ phase: "<img src=x onerror=alert(1)>", text: "<img src=x onerror=alert(1)>" });
    expect(chip.el.querySelector("img")).toBeNull();
    expect(chip.el.textContent).toContain("<img");
  });

  it("follows the model's _progress trait in the toolbar", () => {
    const model = new FakeModel({ _doc: sampleDoc(), _progress: {} });
    const el = document.createElement("div");
    document.body.appendChild(el);
    widget.render({ model, el } as any);
    const chip = el.querySelector(".jw-toolbar .jw-progress") as HTMLElement;
    expect(chip).not.toBeNull();
    expect(chip.hidden).toBe(true);
    model.set("_progress", { phase: "reading", rows: 5, total: 10, fraction: 0.5, text: "Reading rows: 5 of 10 (50 %)" });
    expect(chip.hidden).toBe(false);
    expect(chip.textContent).toBe("50%\u00a0· 5 rows");
    model.set("_progress", {});
    expect(chip.hidden).toBe(true);
  });
});
