// The operation cases Python wrote (tests/data/op_cases.json, made by
// tests/data/make_op_cases.py): input documents, operations, and what Python did.
import CASES from "../../tests/data/op_cases.json";
import { clone } from "../src/model/json";
import type { Clock } from "../src/model/apply";
import type { JourneyDoc } from "../src/model/types";

export interface Case {
  name: string;
  doc: string;
  op: unknown;
  /** Python refused the operation with this message. */
  error?: string;
  /** Top-level keys Python changed (null: nothing changed); unchanged items as their ids. */
  changes?: Record<string, unknown> | null;
}

/** Python's clock, fixed: today's date and the current time of the cases. */
export const clock: Clock = { today: () => CASES.today, now: () => CASES.now };
export const docs = CASES.docs as unknown as Record<string, JourneyDoc>;
export const cases = CASES.cases as unknown as Case[];

/** The document Python ended with: the input with the case's changes. */
export function expected(c: Case): JourneyDoc {
  const input = docs[c.doc] as Record<string, any>;
  const out = clone(input);
  for (const [key, value] of Object.entries(c.changes || {})) {
    if (Array.isArray(value) && Array.isArray(input[key]) && key !== "tags") {
      const old = new Map(input[key].map((it: any) => [it.id, it]));
      out[key] = value.map((x) => (typeof x === "string" ? old.get(x) : x));
    } else out[key] = value;
  }
  return out as JourneyDoc;
}
