// Line icons drawn from constant path data (never from the document). Channel and
// lane-kind icons are keyed by the vocabulary's ids (model/vocabulary.ts); their
// labels live there, not here.
import { s } from "./dom";

type Shape = [string, Record<string, string | number>];

const P = (d: string): Shape => ["path", { d }];
const C = (cx: number, cy: number, r: number): Shape => ["circle", { cx, cy, r }];
const R = (x: number, y: number, width: number, height: number, rx = 0): Shape => ["rect", { x, y, width, height, rx }];

const ICONS: Record<string, Shape[]> = {
  // channels (vocabulary ids)
  web: [C(12, 12, 9), P("M3 12h18"), P("M12 3c3 3.2 3 14.8 0 18c-3-3.2-3-14.8 0-18z")],
  mobile_app: [R(7, 2.5, 10, 19, 2), P("M11 18h2")],
  email: [R(3, 5, 18, 14, 2), P("M3.5 7l8.5 6 8.5-6")],
  phone: [P("M5 4h3.5l2 5-2.3 1.4a11 11 0 0 0 5.4 5.4L15 13.5l5 2V19a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z")],
  chat: [P("M20.5 11.5a8 8 0 0 1-11.9 7L4 19.5l1.2-4.2A8 8 0 1 1 20.5 11.5z"), P("M8.5 11.5h.01M12 11.5h.01M15.5 11.5h.01")],
  social: [C(18, 5.5, 2.8), C(6, 12, 2.8), C(18, 18.5, 2.8), P("M8.5 13.3l7 3.9M15.5 6.8l-7 3.9")],
  ads: [P("M3 10v4h3.5l6.5 4.5v-13L6.5 10H3z"), P("M16.5 9a4 4 0 0 1 0 6"), P("M19 6.5a7.5 7.5 0 0 1 0 11")],
  in_person: [C(12, 7.5, 4), P("M4 21a8 8 0 0 1 16 0")],
  store: [P("M3.5 9.5l2-5.5h13l2 5.5"), R(4.5, 9.5, 15, 11), P("M10 20.5v-6h4v6")],
  support: [P("M4.5 14v-2a7.5 7.5 0 0 1 15 0v2"), R(3, 13, 4, 6, 1.2), R(17, 13, 4, 6, 1.2), P("M19 19a3 3 0 0 1-3 2.5h-3")],
  partner: [C(9, 12, 5.5), C(15, 12, 5.5)],
  custom: [P("M3 12.5V4h8.5l9.5 9.5-8 8L3 12.5z"), C(7.5, 8, 1.3)],
  // lane kinds (vocabulary ids)
  actions: [P("M4 12h15M13.5 6l6 6-6 6")],
  thoughts: [P("M7 18a4.5 4.5 0 1 1 1.3-8.8A6 6 0 0 1 19.6 10 4 4 0 0 1 17 18H7z")],
  needs: [C(12, 12, 9), C(12, 12, 5), C(12, 12, 1)],
  emotions: [C(12, 12, 9), P("M8 14.5a5 5 0 0 0 8 0"), P("M9 9.5h.01M15 9.5h.01")],
  touchpoints: [C(12, 12, 3.5), P("M12 2.5v4M12 17.5v4M2.5 12h4M17.5 12h4")],
  pain_points: [P("M12 3.5l9.5 17h-19L12 3.5z"), P("M12 10v4.5"), P("M12 17.5v.01")],
  opportunities: [P("M9 18h6M10 21.5h4"), P("M12 2.5a6.5 6.5 0 0 0-3.8 11.8V16h7.6v-1.7A6.5 6.5 0 0 0 12 2.5z")],
  backstage: [P("M12 3l9 5-9 5-9-5 9-5z"), P("M3 13l9 5 9-5")],
  metrics: [P("M5 20v-8M10.5 20V5M16 20v-6M21.5 20.5h-19")],
  text: [P("M4 6h16M4 12h16M4 18h10")],
  // ui
  star: [P("M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9L12 3z")],
  "star-fill": [P("M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9L12 3z")],
  "face-pos": [P("M8.5 9.5v.01M15.5 9.5v.01"), P("M7.5 14a5 5 0 0 0 9 0")],
  "face-neu": [P("M8.5 9.5v.01M15.5 9.5v.01"), P("M8 15.5h8")],
  "face-neg": [P("M8.5 9.5v.01M15.5 9.5v.01"), P("M7.5 17a5 5 0 0 1 9 0")],
  comment: [P("M4 5h16v11H9l-5 4V5z")],
  plus: [P("M12 5v14M5 12h14")],
  close: [P("M6 6l12 12M18 6L6 18")],
  grip: [P("M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01")],
  undo: [P("M9 14L4 9l5-5"), P("M4 9h10.5a5.5 5.5 0 0 1 0 11H11")],
  redo: [P("M15 14l5-5-5-5"), P("M20 9H9.5a5.5 5.5 0 0 0 0 11H13")],
  trash: [P("M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3")],
  flag: [P("M5 21V4M5 4h11l-2 4 2 4H5")],
  panel: [R(3, 4, 18, 16, 2), P("M15 4v16")],
  check: [P("M5 12.5l4.5 4.5L19 7.5")],
  target: [C(12, 12, 9), C(12, 12, 4.5), P("M12 12l6-6M16 6h2v2")],
  up: [P("M12 19V5M6 11l6-6 6 6")],
  down: [P("M12 5v14M6 13l6 6 6-6")],
  steady: [P("M5 12h14M13 6l6 6-6 6")],
  people: [C(9, 8, 3.5), P("M2.5 20a6.5 6.5 0 0 1 13 0"), P("M16 4.8a3.5 3.5 0 0 1 0 6.4M18 14.2a6.5 6.5 0 0 1 3.5 5.8")],
  clock: [C(12, 12, 9), P("M12 7v5l3 2")],
  search: [C(10.5, 10.5, 6.5), P("M15.5 15.5l5 5")],
  expand: [P("M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5")],
};


/** The SVG markup of an icon, from the constant shapes above (for CSS masks). */
function svgSource(name: string): string {
  const shapes = ICONS[name] || ICONS.custom;
  const fill = name === "star-fill" ? "black" : "none";
  const body = shapes
    .map(([tag, attrs]) => `<${tag} ${Object.entries(attrs).map(([k, v]) => `${k}="${v}"`).join(" ")}/>`)
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="${fill}" stroke="black" ` +
    `stroke-width="${name.startsWith("face-") ? 2.6 : 1.9}" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`
  );
}

let sheetFor: WeakSet<Node> | null = null;

/**
 * Make sure the icon stylesheet reaches `el`: one CSS rule per icon, each a
 * mask image made from constant path data, so every icon on the map is a
 * single empty element (thousands of icons stay cheap). The sheet goes where
 * `el`'s styles apply: its shadow root when a host renders widgets in shadow
 * DOM (marimo), otherwise its document's head.
 */
export function installIcons(el: Node): void {
  const root = el.getRootNode();
  const shadow = typeof ShadowRoot !== "undefined" && root instanceof ShadowRoot;
  const target: Document | ShadowRoot = shadow ? (root as ShadowRoot) : el.ownerDocument || (el as Document);
  if (!sheetFor) sheetFor = new WeakSet();
  if (sheetFor.has(target)) return;
  sheetFor.add(target);
  if (target.getElementById("jw-icon-sheet")) return;
  const rules: string[] = [];
  for (const name of Object.keys(ICONS)) {
    const uri = "data:image/svg+xml," + encodeURIComponent(svgSource(name)).replace(/'/g, "%27");
    rules.push(`.jw-root [data-i="${name}"]{--jw-i:url('${uri}')}`);
  }
  const doc = el.ownerDocument || (el as Document);
  const style = doc.createElement("style");
  style.id = "jw-icon-sheet";
  style.textContent = rules.join("\n");
  if (shadow) target.appendChild(style);
  else (doc.head || doc.documentElement).appendChild(style);
}

/** An icon by name (unknown names draw the "custom" tag): one empty, masked element. */
export function icon(name: string, cls = "jw-icon"): HTMLElement {
  const el = document.createElement("span");
  el.className = `${cls} jw-i`;
  el.setAttribute("data-i", hasIcon(name) ? name : "custom");
  el.setAttribute("aria-hidden", "true");
  return el;
}

/** An inline SVG icon (for places that need real SVG, e.g. exports). */
export function svgIcon(name: string, cls = "jw-icon"): SVGElement {
  const shapes = ICONS[name] || ICONS.custom;
  const svg = s("svg", {
    class: cls,
    viewBox: "0 0 24 24",
    width: 16,
    height: 16,
    fill: "none",
    stroke: "currentColor",
    "stroke-width": 1.8,
    "stroke-linecap": "round",
    "stroke-linejoin": "round",
    "aria-hidden": "true",
    focusable: "false",
  });
  for (const [tag, attrs] of shapes) svg.appendChild(s(tag, attrs as Record<string, string | number>));
  return svg;
}

export function hasIcon(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(ICONS, name);
}
