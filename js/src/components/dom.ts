// Safe DOM construction. Every string that may come from data goes through
// textContent / createTextNode or setAttribute on an allow-listed attribute.
// Nothing here ever parses markup: there is no innerHTML in this code base.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Attributes that can carry data safely (they never execute or navigate). */
const SAFE_ATTRS = new Set([
  "class",
  "id",
  "role",
  "tabindex",
  "title",
  "type",
  "value",
  "name",
  "placeholder",
  "for",
  "contenteditable",
  "spellcheck",
  "draggable",
  "hidden",
  "disabled",
  "checked",
  "selected",
  "rows",
  "min",
  "max",
  "step",
  "lang",
  "dir",
  "autocomplete",
  "list",
  "maxlength",
  // SVG geometry / presentation
  "viewBox",
  "preserveAspectRatio",
  "d",
  "x",
  "y",
  "x1",
  "x2",
  "y1",
  "y2",
  "cx",
  "cy",
  "r",
  "rx",
  "ry",
  "width",
  "height",
  "points",
  "fill",
  "stroke",
  "stroke-width",
  "stroke-linecap",
  "stroke-linejoin",
  "stroke-dasharray",
  "vector-effect",
  "offset",
  "stop-color",
  "stop-opacity",
  "gradientUnits",
  "focusable",
  "xmlns",
]);

export function isSafeAttr(name: string): boolean {
  const n = name.toLowerCase();
  if (n.startsWith("on")) return false;
  if (n === "href" || n === "src" || n === "xlink:href" || n === "srcdoc" || n === "style" || n === "action" || n === "formaction")
    return false;
  return SAFE_ATTRS.has(name) || n.startsWith("data-") || n.startsWith("aria-");
}

export type Attrs = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | number | null | undefined | false;

export function setAttrs(el: Element, attrs: Attrs): void {
  for (const key in attrs) {
    const v = attrs[key];
    if (!isSafeAttr(key)) throw new Error(`unsafe attribute: ${key}`);
    if (v === null || v === undefined || v === false) el.removeAttribute(key);
    else el.setAttribute(key, v === true ? "" : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Create an HTML element; string children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Create an SVG element. */
export function s(tag: string, attrs?: Attrs | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Set the text of an element, touching the DOM only if it changed. */
export function setText(el: Element, text: string | number | null | undefined): void {
  const t = text === null || text === undefined ? "" : String(text);
  if (el.textContent !== t) el.textContent = t;
}

export function toggleClass(el: Element, cls: string, on: boolean): void {
  if (el.classList.contains(cls) !== on) el.classList.toggle(cls, on);
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A CSS attribute-selector-safe quote of an id. */
export function cssEscape(value: string): string {
  const g = globalThis as any;
  if (g.CSS && typeof g.CSS.escape === "function") return g.CSS.escape(value);
  return value.replace(/["\\\]\[]/g, "\\$&");
}
