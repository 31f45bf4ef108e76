// Finding your way on a big map: the search box (highlights every match, jumps
// between them), "Go to stage", and the full-screen presentation mode.
import { cssEscape, h, setText, toggleClass } from "../components/dom";
import { icon } from "../components/icons";
import { searchMap, stepHit, type SearchHit } from "./search-logic";
import type { JourneyView } from "./journey-view";

export class Navigate {
  input!: HTMLInputElement;
  private count!: HTMLElement;
  private stageSel!: HTMLSelectElement;
  private presentBtn!: HTMLButtonElement;
  hits: SearchHit[] = [];
  current = -1;
  private marked: Element[] = [];
  private onFullscreen: (() => void) | null = null;

  constructor(private readonly v: JourneyView) {}

  /** The search group, the stage select and the presentation button, for the toolbar. */
  build(): HTMLElement[] {
    this.input = h("input", {
      type: "search",
      class: "jw-input jw-search-input",
      placeholder: "Search the map",
      "aria-label": "Search the map (Enter: next match, Shift+Enter: previous)",
      title: "Search stages, touchpoints and cards (Enter: next, Shift+Enter: previous, Esc: clear)",
      autocomplete: "off",
      spellcheck: false,
    });
    this.count = h("span", { class: "jw-search-count", "aria-live": "polite" });
    const prev = h("button", { type: "button", class: "jw-ibtn jw-search-prev", title: "Previous match (Shift+Enter)", "aria-label": "Previous match" }, icon("up"));
    const next = h("button", { type: "button", class: "jw-ibtn jw-search-next", title: "Next match (Enter)", "aria-label": "Next match" }, icon("down"));
    prev.addEventListener("click", () => this.step(true));
    next.addEventListener("click", () => this.step(false));
    this.input.addEventListener("input", () => this.search(true));
    this.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.step(e.shiftKey);
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.input.value = "";
        this.search(false);
      }
    });
    const group = h("span", { class: "jw-search", role: "search" }, icon("search"), this.input, this.count, prev, next);

    this.stageSel = h("select", { class: "jw-select jw-goto-stage", "aria-label": "Go to stage", title: "Scroll the map to a stage" });
    this.stageSel.addEventListener("change", () => {
      const id = this.stageSel.value;
      this.stageSel.value = "";
      if (id) this.goToStage(id);
    });
    this.presentBtn = h(
      "button",
      { type: "button", class: "jw-btn jw-present-btn", title: "Full screen (Esc to leave)", "aria-label": "Full screen presentation", "aria-pressed": "false" },
      icon("expand"),
    );
    this.presentBtn.addEventListener("click", () => this.present(!this.v.root.classList.contains("jw-presenting")));
    this.renderStages();
    return [group, this.stageSel, this.presentBtn];
  }

  /** After a render: the stage list and the matches follow the document. */
  render(): void {
    this.renderStages();
    if (this.input && this.input.value.trim()) this.search(false);
  }

  private renderStages(): void {
    if (!this.stageSel) return;
    const stages = this.v.layout.stages;
    const sig = JSON.stringify(stages.map((s) => [s.id, s.name]));
    if (this.stageSel.getAttribute("data-sig") === sig) return;
    this.stageSel.setAttribute("data-sig", sig);
    this.stageSel.textContent = "";
    this.stageSel.appendChild(h("option", { value: "" }, "Go to stage…"));
    stages.forEach((s, i) => this.stageSel.appendChild(h("option", { value: s.id }, `${String(i + 1).padStart(2, "0")} ${s.name || s.id}`)));
    this.stageSel.hidden = stages.length < 2;
  }

  /** Find the query's matches and highlight them; `jump`: go to the first. */
  search(jump: boolean): void {
    const q = this.input.value;
    const before = this.current >= 0 ? this.hits[this.current] : null;
    this.hits = searchMap(this.v.doc, q);
    this.current = before ? this.hits.findIndex((x) => x.id === before.id) : -1;
    this.mark();
    if (jump && this.hits.length) this.go(0);
    else this.renderCount();
  }

  private renderCount(): void {
    const q = this.input.value.trim();
    const n = this.hits.length;
    setText(this.count, !q ? "" : n === 0 ? "No match" : this.current >= 0 ? `${this.current + 1} / ${n}` : `${n} found`);
    toggleClass(this.count, "jw-none", !!q && n === 0);
  }

  private elementsOf(hit: SearchHit): Element[] {
    const root = this.v.root;
    const sel = `.jw-item[data-id="${cssEscape(hit.id)}"]`;
    const els = Array.from(root.querySelectorAll(sel));
    if (hit.kind === "touchpoint" && (hit.field === "pain_points" || hit.field === "opportunities"))
      els.push(...Array.from(root.querySelectorAll(`.jw-tp-note-group[data-id="${cssEscape(hit.id)}"]`)));
    return els;
  }

  private mark(): void {
    for (const el of this.marked) el.classList.remove("jw-match", "jw-match-current");
    this.marked = [];
    this.hits.forEach((hit, i) => {
      for (const el of this.elementsOf(hit)) {
        el.classList.add("jw-match");
        if (i === this.current) el.classList.add("jw-match-current");
        this.marked.push(el);
      }
    });
  }

  step(back: boolean): void {
    if (!this.hits.length) {
      this.search(false);
      if (!this.hits.length) return;
    }
    this.go(stepHit(this.hits.length, this.current, back));
  }

  /** Highlight match `i` and scroll it into view. */
  go(i: number): void {
    this.current = i;
    const hit = this.hits[i];
    if (hit && hit.kind === "card") {
      const card = (this.v.doc.cards || []).find((c) => c.id === hit.id);
      if (card && this.v.collapsedLanes.has(card.lane)) this.v.toggleLane(card.lane);
    }
    this.mark();
    this.renderCount();
    const el = hit ? (this.elementsOf(hit)[0] as HTMLElement | undefined) : undefined;
    if (el) this.reveal(el);
  }

  /** Scroll the map so `el` shows beside the sticky lane titles and under the sticky stage headers. */
  reveal(el: HTMLElement, align: "center" | "start" = "center"): void {
    const v = this.v;
    const sc = v.grid.scroller;
    const r = el.getBoundingClientRect();
    const s = sc.getBoundingClientRect();
    const lane = v.root.querySelector(".jw-lane") as HTMLElement | null;
    const head = v.root.querySelector(".jw-stage") as HTMLElement | null;
    const left = s.left + (lane ? lane.getBoundingClientRect().width : 0);
    const top = s.top + (head && el.closest(".jw-stage") === null ? head.getBoundingClientRect().height : 0);
    const width = s.right - left;
    let dx = 0;
    if (align === "start") dx = r.left - left - 8;
    else if (r.left < left || r.right > s.right) dx = r.left + r.width / 2 - (left + width / 2);
    let dy = 0;
    if (r.top < top) dy = r.top - top - 8;
    else if (r.bottom > s.bottom) dy = Math.min(r.bottom - s.bottom + 8, r.top - top - 8);
    if (typeof sc.scrollBy === "function") sc.scrollBy({ left: dx, top: dy });
    else {
      sc.scrollLeft += dx;
      sc.scrollTop += dy;
    }
    // the page too, when the map itself is off screen
    const rr = sc.getBoundingClientRect();
    const vh = (el.ownerDocument.defaultView?.innerHeight ?? 0) || 0;
    if (vh && (rr.top > vh || rr.bottom < 0)) sc.scrollIntoView?.({ block: "nearest" });
  }

  goToStage(id: string): void {
    const el = this.v.root.querySelector(`.jw-stage[data-id="${cssEscape(id)}"]`) as HTMLElement | null;
    if (!el) return;
    this.reveal(el, "start");
    el.focus({ preventScroll: true });
  }

  /** Full screen with the map only (Esc leaves); a full-window view where full screen is not allowed. */
  present(on: boolean): void {
    const root = this.v.root;
    const doc = root.ownerDocument;
    toggleClass(root, "jw-presenting", on);
    this.presentBtn.setAttribute("aria-pressed", String(on));
    this.presentBtn.setAttribute("title", on ? "Leave full screen (Esc)" : "Full screen (Esc to leave)");
    if (on) {
      if (!this.onFullscreen) {
        this.onFullscreen = () => {
          if (!doc.fullscreenElement && root.classList.contains("jw-presenting") && root.classList.contains("jw-fullscreen")) {
            root.classList.remove("jw-fullscreen");
            this.present(false);
          }
        };
        doc.addEventListener("fullscreenchange", this.onFullscreen);
      }
      const req = root.requestFullscreen?.bind(root);
      if (req)
        req()
          .then(() => root.classList.add("jw-fullscreen"))
          .catch(() => undefined); // not allowed here (an iframe): the full-window view stays
    } else {
      root.classList.remove("jw-fullscreen");
      if (doc.fullscreenElement === root) void doc.exitFullscreen?.();
    }
    this.v.zoom.schedule();
  }

  dispose(): void {
    if (this.onFullscreen) this.v.root.ownerDocument.removeEventListener("fullscreenchange", this.onFullscreen);
    this.onFullscreen = null;
  }
}
