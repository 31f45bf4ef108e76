// Human-friendly, stable ids: slugs of names, de-duplicated. The same definition as
// Python's journeywidget ids module (its docstring states the algorithm), tested on
// both sides with the same cases (tests/data/slug_cases.json):
//
// 1. Unicode NFKD, drop the combining diacritics U+0300–U+036F, NFC again (Latin,
//    Greek and Cyrillic lose their accents; other scripts keep vowel signs and viramas).
// 2. Lower case.
// 3. Every run of characters that are not letters, marks or numbers (L*, M*, N*)
//    becomes one "-"; leading marks and dashes go.
// 4. At most `maxLength` code points (not UTF-16 units), no trailing "-"; `fallback` if empty.

// Characters never in an id: ASCII controls, space and punctuation (but "-", "." and "_"
// after the first character), Latin-1 punctuation and symbols, Unicode spaces,
// zero-width and bidirectional controls. Only \uXXXX escapes: the pattern means the
// same in Python, pydantic's Rust regex, JavaScript and JSON Schema validators.
const NEVER =
  "\\u0000-\\u002C\\u002F\\u003A-\\u0040\\u005B-\\u005E\\u0060\\u007B-\\u00BF" +
  "\\u1680\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\uFEFF";

/** The pattern every id matches (the JSON Schema's `id` pattern). */
export const ID_PATTERN = `^[^${NEVER}\\u002D\\u002E\\u005F][^${NEVER}]*$`;
export const MAX_ID_LENGTH = 100;

const ID_RE = new RegExp(ID_PATTERN, "u");
const ACCENTS = /[\u0300-\u036f]+/g;
const KEPT = /^[\p{L}\p{M}\p{N}]$/u;
const MARK = /^\p{M}$/u;

/** Length in code points (what Python's len() and JSON Schema's maxLength count). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Slug of `text`: "Checkout page" -> "checkout-page", "ደረጃ ፩" -> "ደረጃ-፩". */
export function slugify(text: unknown, fallback = "item", maxLength = 48): string {
  const norm = String(text ?? "")
    .normalize("NFKD")
    .replace(ACCENTS, "")
    .normalize("NFC");
  const out: string[] = [];
  let dash = false;
  for (const ch of norm.toLowerCase()) {
    if (KEPT.test(ch)) {
      if (out.length === 0 && MARK.test(ch)) continue; // an id never starts with a combining mark
      if (dash && out.length) out.push("-");
      out.push(ch);
      dash = false;
    } else {
      dash = true;
    }
  }
  const slug = out.slice(0, maxLength).join("").replace(/-+$/, "");
  return slug || fallback;
}

/** `base` if free, else `base-2`, `base-3`... */
export function uniqueId(base: string, taken: { has(k: string): boolean }): string {
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

/** True if `value` is a well-formed id (a string of 1..100 code points matching ID_PATTERN). */
export function isValidId(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const n = codePoints(value);
  return n > 0 && n <= MAX_ID_LENGTH && ID_RE.test(value);
}
