// The header of the map: chips (journey type, state, tags, last change), the title
// and description as live texts, the goals / KPIs and the personas.
import { h, toggleClass } from "../components/dom";
import { icon } from "../components/icons";
import { liveText } from "../components/common";
import { goalCard, personaCard, type GoalItem, type PersonaItem } from "../components/personas";
import { KeyedList, keyed, keyedItem, type Keyed } from "../components/reconcile";
import { journeyTypeChip, stateChip } from "../model/vocabulary";
import type { JourneyView } from "./journey-view";

type LiveText = ReturnType<typeof liveText>;

export class Header {
  el!: HTMLElement;
  private main!: HTMLElement;
  private chips!: HTMLElement;
  private title!: LiveText;
  private desc!: LiveText;
  private personaBox!: HTMLElement;
  private goalBox!: HTMLElement;
  private personas: KeyedList<Keyed<PersonaItem>> | null = null;
  private goals: KeyedList<Keyed<GoalItem>> | null = null;

  constructor(private readonly v: JourneyView) {}

  build(): HTMLElement {
    const v = this.v;
    const doc = v.doc;
    this.chips = h("div", { class: "jw-chips" });
    this.title = liveText(v, "h2", "jw-title", doc.id, "title", doc.title, { placeholder: "Journey title", label: "Journey title" });
    this.desc = liveText(v, "p", "jw-desc", doc.id, "description", doc.description || "", {
      multiline: true,
      placeholder: "What this journey is about…",
      label: "Journey description",
    });
    this.main = h("div", { class: "jw-head-main jw-item", "data-kind": "journey", tabindex: -1 }, this.chips, this.title.el, this.desc.el);
    this.personaBox = h("div", { class: "jw-personas" });
    this.goalBox = h("div", { class: "jw-goals" });
    const goalsWrap = h("section", { class: "jw-goals-wrap" }, h("h3", { class: "jw-section-title" }, icon("target"), "Goals & KPIs"), this.goalBox);
    const personaWrap = h("section", { class: "jw-personas-wrap" }, h("h3", { class: "jw-section-title" }, icon("people"), "Personas"), this.personaBox);
    this.el = h("header", { class: "jw-header" }, this.main, goalsWrap, personaWrap);
    const stats = v.info.stats;
    this.personas = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(personaCard(v, k.data)), stats);
    this.goals = new KeyedList((k) => k.key, (k) => k.sig, (k) => keyed(goalCard(v, k.data)), stats);
    return this.el;
  }

  teardown(): void {
    this.personas?.clear();
    this.goals?.clear();
    this.title?.field?.destroy();
    this.desc?.field?.destroy();
  }

  render(): void {
    const v = this.v;
    const doc = v.doc;
    this.main.setAttribute("data-id", doc.id);
    this.title.set(doc.title || "");
    this.desc.set(doc.description || "");
    if (!v.editable) this.desc.el.hidden = !doc.description;
    const chips = [journeyTypeChip(doc.journey_type)];
    if (doc.state) chips.push(stateChip(doc.state));
    const key = JSON.stringify([chips, doc.tags, doc.modified]);
    if (this.chips.getAttribute("data-sig") !== key) {
      this.chips.setAttribute("data-sig", key);
      this.chips.textContent = "";
      chips.forEach((c, i) => this.chips.appendChild(h("span", { class: i === 0 ? "jw-chip jw-chip-type" : "jw-chip" }, c)));
      for (const t of doc.tags || []) this.chips.appendChild(h("span", { class: "jw-chip jw-chip-soft" }, `#${t}`));
      if (doc.modified) this.chips.appendChild(h("span", { class: "jw-modified" }, `Updated ${doc.modified}`));
    }
    const personas = (doc.personas || []).map((p) => keyedItem<PersonaItem>(p.id, { p, comments: v.counts.get(p.id) }));
    this.personas!.sync(this.personaBox, personas);
    const goals = (doc.goals || []).map((g) => keyedItem<GoalItem>(g.id, { g, comments: v.counts.get(g.id) }));
    this.goals!.sync(this.goalBox, goals);
    (this.personaBox.parentElement as HTMLElement).hidden = personas.length === 0 && !v.editable;
    (this.goalBox.parentElement as HTMLElement).hidden = goals.length === 0 && !v.editable;
    toggleClass(this.personaBox, "jw-empty-box", personas.length === 0);
    toggleClass(this.goalBox, "jw-empty-box", goals.length === 0);
  }
}
