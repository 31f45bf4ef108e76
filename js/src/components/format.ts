// Small text and number formatting helpers of the map's components.

export function initials(name: string): string {
  const words = String(name || "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = Array.from(words[0])[0] || "";
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] || "" : "";
  return (first + last).toUpperCase();
}

/** A stable hue (0..359) for a string, for avatars. */
export function hue(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % 360;
}

// one formatter for the whole map (toLocaleString builds a new one on every call)
const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A whole number with thousands separators: 2686 -> "2,686". */
export function fmtGrouped(n: number): string {
  return GROUPED.format(Math.round(n));
}

export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + "M";
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(n >= 1e5 ? 0 : 1) + "k";
  return fmtGrouped(n);
}

/** A share as a percentage: "54 %", "5.1 %" (a no-break space before the sign). */
export function fmtPct(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return "–";
  const p = f * 100;
  return (Math.abs(p) >= 10 || p === 0 ? p.toFixed(0) : p.toFixed(1)) + "\u00a0%";
}

export function fmtNum(f: number | null | undefined, digits = 1): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return "–";
  return Number.isInteger(f) ? String(f) : f.toFixed(digits);
}

/** A duration in seconds as "45s", "12m", "3h 5m", "2d 4h". */
export function fmtDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "–";
  s = Math.max(0, s);
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** Split a textarea's text into a list: one trimmed, non-empty entry per line. */
export function linesToList(text: string): string[] {
  return String(text || "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export function listToLines(list: unknown): string {
  return Array.isArray(list) ? list.map((x) => String(x)).join("\n") : "";
}

/** "a, b, c" -> ["a","b","c"] */
export function csvToList(text: string): string[] {
  return String(text || "")
    .split(",")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
