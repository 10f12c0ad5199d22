// The node catalog: the one list of node kinds. Add a kind here (plus one lowering
// case in generators/) and the palette, form, validator and generators pick it up.
import type { z } from "zod";
import { answer, bridge, execute, flushDigits, hangup, preAnswer, start, transfer } from "./call-control";
import { getDigits, menu, readDigits } from "./input";
import { branch, customCode, httpRequest, log, setVariable, timeOfDay } from "./logic";
import { phrase, play, record, say, sleep, speak } from "./media";
import type { NodeKindSpec, OutcomeSpec } from "./spec";

export const CATALOG = {
  start, answer, pre_answer: preAnswer, hangup, transfer, bridge, execute, flush_digits: flushDigits,
  play, say, speak, phrase, sleep, record,
  menu, read_digits: readDigits, get_digits: getDigits,
  set_variable: setVariable, branch, time_of_day: timeOfDay, log, http_request: httpRequest, custom_code: customCode,
} as const;

export type Catalog = typeof CATALOG;
export type NodeKind = keyof Catalog;
/** Parameters of a kind, after defaults are applied. */
export type ParamsOf<K extends NodeKind> = z.output<Catalog[K]["params"]>;

export const NODE_KINDS = Object.keys(CATALOG) as NodeKind[];

// Keys must match the spec's own `kind`: checked once at load.
for (const [key, spec] of Object.entries(CATALOG)) {
  if (spec.kind !== key) throw new Error(`catalog key ${key} != kind ${spec.kind}`);
}

export function isNodeKind(kind: string): kind is NodeKind {
  return Object.prototype.hasOwnProperty.call(CATALOG, kind);
}

export function specOf(kind: string): NodeKindSpec | undefined {
  return isNodeKind(kind) ? (CATALOG[kind] as unknown as NodeKindSpec) : undefined;
}

/** Parse a node's params with its kind's schema (fills defaults); undefined on failure. */
export function parseParams<K extends NodeKind>(kind: K, params: unknown): ParamsOf<K> | undefined {
  const r = (CATALOG[kind].params as z.ZodType).safeParse(params ?? {});
  return r.success ? (r.data as ParamsOf<K>) : undefined;
}

/** Default parameters of a kind (what a new node from the palette starts with). */
export function defaultParams<K extends NodeKind>(kind: K): ParamsOf<K> {
  return (CATALOG[kind].params as z.ZodType).parse({}) as ParamsOf<K>;
}

/** The outcomes of a node given its (raw) params; [] if the params do not parse. */
export function outcomesOf(kind: string, params: unknown): OutcomeSpec[] {
  const spec = specOf(kind);
  if (!spec) return [];
  const r = spec.params.safeParse(params ?? {});
  return r.success ? spec.outcomes(r.data) : [];
}

export function waitsForCaller(kind: string, params: unknown): boolean {
  const spec = specOf(kind);
  if (!spec) return false;
  if (typeof spec.waitsForCaller === "boolean") return spec.waitsForCaller;
  const r = spec.params.safeParse(params ?? {});
  return r.success ? spec.waitsForCaller(r.data) : false;
}

export * from "./spec";
export { ALLOW_REFER_VARIABLE, BRIDGE_CAUSE_OUTCOMES } from "./call-control";
export { choiceRegex, isLiteralChoice, menuInputRegex, LITERAL_CHOICE_RE } from "./input";
export { keyOutcome, uniqueDigits, FLITE_VOICES, SAY_TYPES, SAY_METHODS, SAY_GENDERS } from "./media";
export { BRANCH_OPS, BRANCH_OP_LABELS, NUMERIC_BRANCH_OPS, WEEKDAYS, hhmmToMinutes, HTTP_METHODS } from "./logic";
export type { BranchOp, Weekday } from "./logic";
