import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CATALOG, defaultParams, NODE_KINDS, outcomesOf, uiHintOf } from "../../flow";

const NO_OUTCOMES = new Set(["hangup", "transfer"]);
const NO_SESSION_METHODS = new Set(["start", "custom_code"]);

type Def = { type?: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { def: Def }).def;
function unwrap(s: z.ZodType): z.ZodType {
  while (defOf(s).innerType) s = defOf(s).innerType!;
  return s;
}

describe("node catalog", () => {
  it("has many kinds, each under its own kind key", () => {
    expect(NODE_KINDS.length).toBeGreaterThanOrEqual(20);
    for (const [key, spec] of Object.entries(CATALOG)) expect(spec.kind).toBe(key);
  });

  it.each(NODE_KINDS)("%s: default params parse and give unique, non-empty outcome keys", (kind) => {
    const spec = CATALOG[kind];
    const defaults = defaultParams(kind);
    expect(spec.params.safeParse(defaults).success).toBe(true);
    const keys = outcomesOf(kind, defaults).map((o) => o.key);
    if (NO_OUTCOMES.has(kind)) {
      expect(keys).toEqual([]);
    } else {
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys).size).toBe(keys.length);
      for (const k of keys) expect(k).toMatch(/\S/);
    }
    for (const o of outcomesOf(kind, defaults)) expect(o.label).toMatch(/\S/);
  });

  it.each(NODE_KINDS)("%s: every parameter (and every list item field) has a UI hint with a label", (kind) => {
    const shape = (CATALOG[kind].params as z.ZodObject).shape as Record<string, z.ZodType>;
    for (const [name, schema] of Object.entries(shape)) {
      const hint = uiHintOf(schema);
      expect(hint, `${kind}.${name}`).toBeDefined();
      expect(hint!.label, `${kind}.${name}`).toMatch(/\S/);
      // Lists rendered item by item need hints on each item field (key-value lists render themselves).
      if (hint!.widget === "list") {
        const item = unwrap(defOf(unwrap(schema)).element!);
        for (const [field, fs] of Object.entries(defOf(item).shape ?? {})) {
          expect(uiHintOf(fs)?.label, `${kind}.${name}.*.${field}`).toMatch(/\S/);
        }
      }
      if (hint!.widget === "select") expect(hint!.options?.length, `${kind}.${name}`).toBeGreaterThan(0);
    }
  });

  it.each(NODE_KINDS)("%s: names its session methods (only start and custom code have none)", (kind) => {
    const methods = CATALOG[kind].sessionMethods;
    if (NO_SESSION_METHODS.has(kind)) expect(methods).toEqual([]);
    else expect(methods.length).toBeGreaterThan(0);
  });

  it("has exactly one entry kind and one admin-only kind", () => {
    expect(NODE_KINDS.filter((k) => (CATALOG[k] as { entry?: boolean }).entry)).toEqual(["start"]);
    expect(NODE_KINDS.filter((k) => (CATALOG[k] as { adminOnly?: boolean }).adminOnly)).toEqual(["custom_code"]);
  });

  it("menu outcomes follow its choices, then failed", () => {
    const keys = outcomesOf("menu", { choices: [{ key: "1" }, { key: "[2-4]" }] }).map((o) => o.key);
    expect(keys).toEqual(["1", "[2-4]", "failed"]);
    expect(outcomesOf("menu", { choices: [{ key: 5 }] })).toEqual([]); // bad params: no outcomes
    expect(outcomesOf("nope", {})).toEqual([]);
  });
});
