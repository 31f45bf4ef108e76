// Items checked against the JSON Schema Python writes from its pydantic models
// (src/journeywidget/schema/journey.schema.json): the standalone page applies
// edits itself and must refuse what Python refuses. `conform` returns the item as
// Python stores it (defaults filled in, fields in schema order) or throws an
// OperationError naming the field.
//
// The few rules pydantic has that the schema cannot state are written out here:
// the default labels of an emotion scale, and the date-time format of a comment.
// Named imports: esbuild bundles only these parts of the schema (not its $id / $schema URLs).
import { $defs, properties } from "../../../src/journeywidget/schema/journey.schema.json";
import { codePoints } from "./ids";
import { clone, deepEqual, isPlainObject } from "./json";
import { EMOTION_LABELS } from "./vocabulary";

/** An edit that was refused; the message names the field and what to do. */
export class OperationError extends Error {
  override name = "OperationError";
}

export function fail(message: string): never {
  throw new OperationError(message);
}

type Schema = { [k: string]: any };

const DEFS: Record<string, Schema> = $defs;
const TOP: Record<string, Schema> = properties;

/** The schema of a document-level field (title, tags, emotion_scale...). */
export function topFieldSchema(key: string): Schema | undefined {
  return TOP[key];
}

/** The schema of an item kind ("touchpoint" -> $defs.Touchpoint). */
export function itemSchema(kind: string): Schema {
  return { $ref: `#/$defs/${kind.charAt(0).toUpperCase()}${kind.slice(1)}` };
}

// Defaults pydantic makes with a default_factory: the schema has no "default" for them.
const FACTORY_DEFAULTS: Record<string, () => unknown> = {
  "EmotionScale.labels": () => ({ ...EMOTION_LABELS }),
};

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 date-time as Python's datetime.fromisoformat reads it (2026-11-23T20:11:16Z). */
export function isDateTime(text: string): boolean {
  const m = DATETIME.exec(text);
  if (!m) return false;
  const [y, mo, d, hh, mi, ss] = m.slice(1, 7).map(Number);
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] || hh > 23 || mi > 59 || ss > 59) return false;
  // Python checks the whole offset only: strictly less than 24 hours
  return m[8] === "Z" || Number(m[9]) * 60 + Number(m[10]) < 24 * 60;
}

// Checks of whole objects, by $defs name, after their fields conform.
const OBJECT_CHECKS: Record<string, (value: Record<string, unknown>, path: string) => void> = {
  Comment: (c, path) => {
    if (c.created && !isDateTime(String(c.created))) fail(`${path}.created: must be an ISO 8601 datetime such as 2026-11-23T20:11:16Z`);
  },
};

const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, "u")));
  return re;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return typeof v === "string" ? "a string" : typeof v === "number" ? "a number" : typeof v === "boolean" ? "a boolean" : typeof v;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function defName(ref: string): string {
  const m = /^#\/\$defs\/(\w+)$/.exec(ref);
  if (!m || !DEFS[m[1]]) throw new Error(`unknown schema reference ${ref}`);
  return m[1];
}

/** Whether a schema (following one $ref) accepts values of `value`'s JSON type at all. */
function typeFits(schema: Schema, value: unknown): boolean {
  const s = schema.$ref ? DEFS[defName(schema.$ref)] : schema;
  const t = jsonType(value);
  if (s.type === undefined) return true;
  return s.type === t || (s.type === "number" && t === "integer");
}

/**
 * `value` as the schema wants it: checked, with defaults filled in and object fields
 * in schema order. Throws an OperationError "<path>: <what is wrong>".
 */
export function conform(schema: Schema, value: unknown, path: string, owner = ""): any {
  if (schema.$ref) {
    const name = defName(schema.$ref);
    return conform(DEFS[name], value, path, name);
  }
  if (schema.anyOf) {
    const alts: Schema[] = schema.anyOf;
    for (const alt of alts) {
      try {
        return conform(alt, value, path, owner);
      } catch (err) {
        if (!(err instanceof OperationError)) throw err;
      }
    }
    const fitting = alts.find((alt) => typeFits(alt, value) && alt.type !== "null");
    if (fitting) conform(fitting, value, path, owner); // throws its own, precise error
    const kinds = alts.map((a) => (a.$ref ? "an object" : a.type === "null" ? "null" : a.type)).join(" or ");
    fail(`${path}: expected ${kinds}, got ${typeName(value)}`);
  }
  if ("const" in schema && !deepEqual(value, schema.const)) fail(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) fail(`${path}: ${JSON.stringify(value)} is not allowed; use one of: ${schema.enum.join(", ")}`);
  switch (schema.type) {
    case "string":
      return conformString(schema, value, path);
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) fail(`${path}: expected a whole number, got ${typeName(value)}`);
      return inRange(schema, value, path);
    case "number":
      if (typeof value !== "number") fail(`${path}: expected a number, got ${typeName(value)}`);
      if (!Number.isFinite(value)) fail(`${path}: must be a finite number; use null to leave it unset`);
      return inRange(schema, value, path);
    case "boolean":
      if (typeof value !== "boolean") fail(`${path}: expected true or false, got ${typeName(value)}`);
      return value;
    case "null":
      if (value !== null) fail(`${path}: expected null, got ${typeName(value)}`);
      return null;
    case "array": {
      if (!Array.isArray(value)) fail(`${path}: expected a list, got ${typeName(value)}`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`${path}: at most ${schema.maxItems} entries`);
      return value.map((v, i) => conform(schema.items, v, `${path}.${i}`));
    }
    case "object":
      return conformObject(schema, value, path, owner);
    default:
      throw new Error(`unsupported schema at ${path}`);
  }
}

/** The schema's bounds on a number (numbers in a journey are at most 2**53 - 1 in size). */
const SAFE = Number.MAX_SAFE_INTEGER;

function inRange(schema: Schema, value: number, path: string): number {
  const { minimum: lo, maximum: hi } = schema;
  if ((lo !== undefined && value < lo) || (hi !== undefined && value > hi)) {
    // the bound every number has (what JSON and JavaScript carry exactly), or a field's own range
    if (lo === -SAFE && hi === SAFE) fail(`${path}: ${value} is out of range; numbers in a journey are between ${lo} and ${hi}`);
    if (lo !== undefined && value < lo) fail(`${path}: must be at least ${lo}`);
    fail(`${path}: must be at most ${hi}`);
  }
  return value;
}

function conformString(schema: Schema, value: unknown, path: string): string {
  if (typeof value !== "string") fail(`${path}: expected text, got ${typeName(value)}`);
  const n = schema.minLength !== undefined || schema.maxLength !== undefined ? codePoints(value) : 0;
  if (schema.minLength !== undefined && n < schema.minLength) fail(`${path}: must not be empty`);
  if (schema.maxLength !== undefined && n > schema.maxLength) fail(`${path}: at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined && !patternOf(schema.pattern).test(value)) {
    fail(`${path}: ${JSON.stringify(value)} is not a valid id; use letters, digits and '-'`);
  }
  return value;
}

function conformObject(schema: Schema, value: unknown, path: string, owner: string): Record<string, unknown> {
  if (!isPlainObject(value)) fail(`${path}: expected an object, got ${typeName(value)}`);
  const props: Record<string, Schema> = schema.properties || {};
  const required = new Set<string>(schema.required || []);
  const out: Record<string, unknown> = {};
  if (schema.additionalProperties === false) {
    for (const key of Object.keys(value)) {
      if (value[key] !== undefined && !(key in props)) fail(`${path}.${key}: unknown field; ${path.split(".")[0]} fields are: ${Object.keys(props).join(", ")}`);
    }
  }
  for (const [name, prop] of Object.entries(props)) {
    const factory = FACTORY_DEFAULTS[`${owner}.${name}`];
    if (value[name] !== undefined) out[name] = conform(prop, value[name], `${path}.${name}`);
    else if ("default" in prop) out[name] = clone(prop.default);
    else if (factory) out[name] = factory();
    else if (required.has(name)) fail(`${path}.${name}: missing; this field is required`);
  }
  const extra = schema.additionalProperties;
  if (isPlainObject(extra)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) fail(`${path}: at most ${schema.maxProperties} entries`);
    const maxKey = schema.propertyNames?.maxLength;
    for (const k of keys) {
      if (maxKey !== undefined && codePoints(k) > maxKey) fail(`${path}: the key ${JSON.stringify(k)} is longer than ${maxKey} characters`);
      out[k] = conform(extra, value[k], `${path}.${k}`);
    }
  }
  OBJECT_CHECKS[owner]?.(out, path);
  return out;
}
