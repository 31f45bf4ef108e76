// JSON Patch (RFC 6902: add, remove, replace, test) applied copy-on-write: the
// containers on a patched path are copied, everything else is shared, so a new
// document shares all the items an edit did not touch (the view's keyed lists then
// see the same objects and skip them). Python writes the patches
// (src/journeywidget/widget/sync.py) and applies them the same way in its tests;
// tests/data/patch_cases.json holds cases both sides check.

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

export interface PatchOp {
  op: "add" | "remove" | "replace" | "test" | string;
  path: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The parts of a JSON Pointer (RFC 6901): "/a~1b/0" → ["a/b", "0"]. */
export function splitPointer(path: string): string[] {
  if (path === "") return [];
  if (typeof path !== "string" || path[0] !== "/") throw new PatchError(`path ${JSON.stringify(path)}: a JSON pointer starts with '/'`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function index(p: string, n: number, endOk = false): number {
  if (p === "-" && endOk) return n;
  if (!/^(0|[1-9][0-9]*)$/.test(p)) throw new PatchError(`${JSON.stringify(p)} is not a list index`);
  const i = Number(p);
  if (i > n || (i === n && !endOk)) throw new PatchError(`index ${i} is out of range (length ${n})`);
  return i;
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function get(value: unknown, parts: string[]): unknown {
  let v = value;
  for (const p of parts) {
    if (Array.isArray(v)) v = v[index(p, v.length)];
    else if (isObject(v)) {
      if (!has(v, p)) throw new PatchError(`no key ${JSON.stringify(p)}`);
      v = v[p];
    } else throw new PatchError(`cannot go into a ${v === null ? "null" : typeof v} at ${JSON.stringify(p)}`);
  }
  return v;
}

/** Equality of JSON values (a `test` operation). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => has(b, k) && same(a[k], b[k]));
  }
  return false;
}

/** A deep copy of a JSON value from a message (so the document never shares it with the message). */
function copy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function edit(container: unknown, parts: string[], op: string, value: unknown): Container {
  const [head, ...rest] = parts;
  if (Array.isArray(container)) {
    const out = container.slice();
    if (rest.length) {
      const i = index(head, out.length);
      out[i] = edit(out[i], rest, op, value);
    } else if (op === "add") out.splice(index(head, out.length, true), 0, copy(value));
    else if (op === "remove") out.splice(index(head, out.length), 1);
    else out[index(head, out.length)] = copy(value);
    return out;
  }
  if (isObject(container)) {
    const out: Record<string, unknown> = { ...container };
    if (rest.length) {
      if (!has(out, head)) throw new PatchError(`no key ${JSON.stringify(head)}`);
      out[head] = edit(out[head], rest, op, value);
    } else if (op === "remove") {
      if (!has(out, head)) throw new PatchError(`no key ${JSON.stringify(head)} to remove`);
      delete out[head];
    } else {
      if (op === "replace" && !has(out, head)) throw new PatchError(`no key ${JSON.stringify(head)} to replace`);
      out[head] = copy(value);
    }
    return out;
  }
  throw new PatchError(`cannot edit inside a ${container === null ? "null" : typeof container} at ${JSON.stringify(head)}`);
}

/**
 * Apply `ops` to `value` and return the new value; `value` itself is left as it was.
 * Throws a PatchError (and returns nothing) when an operation does not fit: a failed
 * `test`, a missing key or index, an unknown operation.
 */
export function applyPatch<T = unknown>(value: T, ops: readonly PatchOp[]): T {
  if (!Array.isArray(ops)) throw new PatchError("a patch is a list of operations");
  let root: unknown = value;
  for (const op of ops) {
    if (!op || typeof op !== "object") throw new PatchError("a patch operation is an object");
    const parts = splitPointer(op.path);
    if (op.op === "test") {
      if (!same(get(root, parts), op.value)) throw new PatchError(`test failed at ${JSON.stringify(op.path)}`);
      continue;
    }
    if (op.op !== "add" && op.op !== "remove" && op.op !== "replace") throw new PatchError(`unsupported patch operation ${JSON.stringify(op.op)}`);
    if (parts.length === 0) {
      if (op.op === "remove") throw new PatchError("cannot remove the whole value");
      root = copy(op.value);
      continue;
    }
    root = edit(root, parts, op.op, op.value);
  }
  return root as T;
}
