// Definitions the front end shares with Python, tested with the same cases: slugs
// and ids (tests/data/slug_cases.json), the vocabulary
// (src/journeywidget/core/vocabulary.json) and the schema's id pattern. (Touchpoint
// names from event keys: data.test.ts; the op applier: apply.test.ts.)
import { describe, expect, it } from "vitest";
import SLUG_CASES from "../../tests/data/slug_cases.json";
import SCHEMA from "../../src/journeywidget/schema/journey.schema.json";
import VOCABULARY from "../../src/journeywidget/core/vocabulary.json";
import { ID_PATTERN, codePoints, isValidId, slugify, uniqueId } from "../src/model/ids";
import * as vocab from "../src/model/vocabulary";
import { DEFAULT_SCALE } from "../src/model/emotion";
import { hasIcon } from "../src/components/icons";

describe("slugs (tests/data/slug_cases.json, shared with Python)", () => {
  it("has cases in many scripts", () => {
    expect(SLUG_CASES.slugs.length).toBeGreaterThan(40);
  });
  for (const c of SLUG_CASES.slugs) {
    it(`${JSON.stringify(c.text)} -> ${JSON.stringify(c.slug)}`, () => {
      expect(slugify(c.text, c.fallback, c.max_length)).toBe(c.slug);
    });
  }
  it("counts code points, not UTF-16 units", () => {
    expect(codePoints("🚀a")).toBe(2);
    expect(slugify("𝒜".repeat(60))).toBe("a".repeat(48));
    expect(Array.from(slugify("𐐀".repeat(60), "x", 10)).length).toBe(10);
  });
  it("makes unique ids", () => {
    expect(uniqueId("checkout", new Set(["checkout", "checkout-2"]))).toBe("checkout-3");
    expect(uniqueId("free", new Set())).toBe("free");
  });
});

describe("ids (tests/data/slug_cases.json, shared with Python)", () => {
  it("uses the JSON Schema's id pattern", () => {
    expect(ID_PATTERN).toBe(SCHEMA.properties.id.pattern);
    expect(ID_PATTERN).toBe(SCHEMA.$defs.Touchpoint.properties.stage.pattern);
  });
  for (const id of SLUG_CASES.ids.valid) it(`valid: ${JSON.stringify(id)}`, () => expect(isValidId(id)).toBe(true));
  for (const id of SLUG_CASES.ids.invalid) it(`invalid: ${JSON.stringify(id)}`, () => expect(isValidId(id)).toBe(false));
  it("refuses what is not a string, too long, or ends in a newline", () => {
    expect(isValidId(5)).toBe(false);
    expect(isValidId(null)).toBe(false);
    expect(isValidId("x".repeat(100))).toBe(true);
    expect(isValidId("x".repeat(101))).toBe(false);
    expect(isValidId("a\n")).toBe(false);
  });
  it("every slug of a case is a valid id", () => {
    for (const c of SLUG_CASES.slugs) expect(isValidId(c.slug), c.slug).toBe(true);
  });
});

describe("the vocabulary (src/journeywidget/core/vocabulary.json)", () => {
  it("is the file Python reads, in its order", () => {
    expect(vocab.CHANNELS.map((c) => c.id)).toEqual(VOCABULARY.channels.map((c) => c.id));
    expect(vocab.LANE_KINDS.map((k) => k.id)).toEqual(VOCABULARY.lane_kinds.map((k) => k.id));
    expect(vocab.JOURNEY_TYPES.map((t) => t.id)).toEqual(SCHEMA.properties.journey_type.enum);
    expect(vocab.STATES.map((t) => t.id)).toEqual(SCHEMA.properties.state.enum);
    expect(vocab.LANE_KINDS.map((k) => k.id)).toEqual(SCHEMA.$defs.Lane.properties.kind.enum);
    expect(vocab.EVIDENCE.map((k) => k.id)).toEqual(SCHEMA.$defs.Touchpoint.properties.evidence.items.enum);
    expect(vocab.DIRECTIONS.map((k) => k.id)).toEqual(SCHEMA.$defs.Goal.properties.direction.enum);
  });
  it("gives labels, titles and chips", () => {
    expect(vocab.channelLabel("mobile_app")).toBe("Mobile app");
    expect(vocab.channelLabel("Kiosk")).toBe("Kiosk");
    expect(vocab.channelLabel(null)).toBe("No channel");
    expect(vocab.laneTitle("text")).toBe("Notes");
    expect(vocab.laneTitle("nope")).toBe("");
    expect(vocab.journeyTypeChip("lead_generation")).toBe("Lead generation journey");
    expect(vocab.journeyTypeChip(undefined)).toBe("Journey");
    expect(vocab.stateChip("to_be")).toBe("To-be");
    expect(vocab.stateChip(undefined)).toBe("As-is");
  });
  it("splits lane kinds into card lanes and computed lanes", () => {
    expect([...vocab.COMPUTED_LANES].sort()).toEqual(["emotions", "metrics", "touchpoints"]);
    expect(vocab.isCardLane("actions")).toBe(true);
    expect(vocab.isCardLane("text")).toBe(true);
    expect(vocab.isCardLane("emotions")).toBe(false);
  });
  it("has an icon for every channel and lane kind", () => {
    for (const t of [...vocab.CHANNELS, ...vocab.LANE_KINDS]) expect(hasIcon(t.id), t.id).toBe(true);
  });
  it("gives the default emotion scale", () => {
    expect(DEFAULT_SCALE).toEqual({ min: -2, max: 2, labels: VOCABULARY.emotion_labels });
  });
});
