// Touchpoint names made from event keys. The same rules as Python's readable_name
// (the insights panel's "Add to map" and JourneyWidget.add_unmapped_to_map both name new
// touchpoints this way), tested on both sides with the same cases.

const CAMEL_LOWER_UPPER = /([a-z0-9])([A-Z])/g;
const CAMEL_ACRONYM = /([A-Z]+)([A-Z][a-z])/g;
const KEY_SEPARATORS = /[\s_\-.:/|+]+/;

/**
 * A touchpoint name made from an event key: `begin_checkout` -> "Begin checkout",
 * `pageViewHTML` -> "Page view HTML".
 */
export function readableName(key: unknown, maxLength = 300): string {
  const raw = String(key ?? "").trim();
  const text = raw.replace(CAMEL_LOWER_UPPER, "$1 $2").replace(CAMEL_ACRONYM, "$1 $2");
  const words = text
    .split(KEY_SEPARATORS)
    .filter((w) => w.length > 0)
    .map((w) => (Array.from(w).length > 1 && w === w.toUpperCase() && w !== w.toLowerCase() ? w : w.toLowerCase()));
  let name = words.join(" ") || raw || "Event";
  const chars = Array.from(name);
  name = (chars[0] || "").toUpperCase() + chars.slice(1).join("");
  return Array.from(name).slice(0, maxLength).join("").trimEnd() || "Event";
}
