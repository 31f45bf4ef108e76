// The data's suggestions in the Insights panel (issue 10): opportunities ranked by score
// (reach x drop-off or exit x satisfaction gap, divided by effort) with "Add as
// opportunity", and data-driven personas (clusters of units by behaviour) with "Find
// clusters" and "Make persona". The buttons ask the kernel (custom messages
// `add_opportunity`, `clusters`, `add_persona_from_cluster`), which edits the map
// through its one edit path (undoable). Names and text are data: set as text only.
import { h, setText } from "./dom";
import { icon } from "./icons";
import { fmtInt, fmtNum, fmtPct } from "./format";
import type { JourneyDoc, Metrics } from "../model/types";

export interface AnalyticsHost {
  readonly doc: JourneyDoc;
  /** Whether the action buttons are offered (an editable map with a kernel behind it). */
  readonly canAdd: boolean;
  select(id: string): void;
  /** Ask the kernel; resolves true if it worked. */
  ask(type: string, fields: Record<string, unknown>): Promise<boolean>;
}

function nameOf(doc: JourneyDoc, id: string): string {
  const it = [...(doc.stages || []), ...(doc.touchpoints || [])].find((x) => x.id === id);
  return it ? it.name || id : id;
}

/** Whether the map has a persona whose segment points at `cluster` (add_persona_from_cluster's). */
export function hasClusterPersona(doc: JourneyDoc, cluster: unknown): boolean {
  return (doc.personas || []).some((p: any) => {
    const seg = p && p.segment;
    return !!seg && seg.column === "cluster" && Array.isArray(seg.values) && seg.values.some((v: unknown) => String(v) === String(cluster));
  });
}

function actionButton(label: string, title: string, busy: string, run: () => Promise<boolean>, done = false): HTMLButtonElement {
  const text = h("span", null, done ? "Added" : label);
  const b = h("button", { type: "button", class: "jw-btn jw-btn-small", title }, icon("plus"), text) as HTMLButtonElement;
  b.disabled = done;
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    b.disabled = true;
    setText(text, busy);
    void run().then((ok) => {
      if (!b.isConnected) return;
      b.disabled = ok;
      setText(text, ok ? "Added" : label);
    });
  });
  return b;
}

/** The "Opportunities" and "Personas from data" sections (empty element when the payload has neither). */
export function analyticsBody(host: AnalyticsHost, m: Metrics, unit: string): HTMLElement {
  const body = h("div", { class: "jw-insights-cols jw-analytics" });
  const opps = Array.isArray(m.opportunities) ? m.opportunities : [];
  if (opps.length) {
    const col = h("section", { class: "jw-insights-group", "data-group": "opportunities" });
    col.appendChild(h("h4", { class: "jw-insights-title" }, icon("opportunities"), "Opportunities", h("span", { class: "jw-count" }, String(opps.length))));
    col.appendChild(h("p", { class: "jw-insights-none" }, `score = ${unit} lost (reach × drop-off or exit rate) × satisfaction gap where feedback is bound, ÷ effort; highest first`));
    const ol = h("ol", { class: "jw-insights-list" });
    for (const o of opps.slice(0, 8)) {
      if (!o || typeof o.target !== "string") continue;
      const name = nameOf(host.doc, o.target);
      const lost = typeof o.lost === "number" ? `${fmtInt(o.lost)} ${unit} lost` : "";
      const rate = typeof o.rate === "number" ? ` (${fmtPct(o.rate)} ${o.kind === "stage" ? "drop-off" : "exit"})` : "";
      const effort = typeof o.effort === "number" ? ` · effort ${fmtNum(o.effort)}` : "";
      const li = h("li", { class: "jw-suggestion jw-opportunity", "data-target": o.target },
        h("div", { class: "jw-insight-main" },
          h("div", { class: "jw-insight-top" }, h("span", { class: "jw-insight-kind" }, `${o.kind === "stage" ? "Stage" : "Touchpoint"} · score ${fmtNum(o.score, 0)}`)),
          h("div", { class: "jw-insight-msg" }, `${name}: ${lost}${rate}${effort}`)));
      li.addEventListener("click", () => host.select(o.target));
      if (host.canAdd)
        li.firstElementChild!.appendChild(h("div", { class: "jw-insight-actions" },
          actionButton("Add as opportunity", `Put an opportunity for “${name}” on the map (undoable)`, "Adding…", () => host.ask("add_opportunity", { target: o.target }))));
      ol.appendChild(li);
    }
    col.appendChild(ol);
    body.appendChild(col);
  }
  const clusters = Array.isArray(m.clusters) ? m.clusters : [];
  const col = h("section", { class: "jw-insights-group", "data-group": "clusters" });
  col.appendChild(h("h4", { class: "jw-insights-title" }, icon("people"), "Personas from data", h("span", { class: "jw-count" }, String(clusters.length))));
  if (clusters.length === 0) {
    col.appendChild(h("p", { class: "jw-insights-none" }, `Group ${unit} by the touchpoints they use and the steps they take.`));
    if (m.live === true)
      col.appendChild(actionButton("Find clusters", `Cluster ${unit} by behaviour (k chosen by silhouette)`, "Clustering…", () => host.ask("clusters", {})));
  } else {
    const ol = h("ol", { class: "jw-insights-list" });
    for (const c of clusters) {
      const conv = typeof c.conversion === "number" ? `, ${fmtPct(c.conversion)} convert` : "";
      const li = h("li", { class: "jw-suggestion jw-cluster", "data-cluster": String(c.cluster) },
        h("div", { class: "jw-insight-main" },
          h("div", { class: "jw-insight-top" }, h("span", { class: "jw-insight-kind" }, `${c.label} · ${fmtInt(c.units)} ${unit} (${fmtPct(c.share)})${conv}`)),
          h("div", { class: "jw-insight-msg" }, String(c.name || ""))));
      if (host.canAdd)
        li.firstElementChild!.appendChild(h("div", { class: "jw-insight-actions" },
          actionButton("Persona from cluster", `Add a persona for ${c.label} to the map; its segment points at the cluster (undoable)`, "Adding…", () => host.ask("add_persona_from_cluster", { cluster: c.cluster }), hasClusterPersona(host.doc, c.cluster))));
      ol.appendChild(li);
    }
    col.appendChild(ol);
  }
  body.appendChild(col);
  return body;
}
