// The case editor's form model: a test case (flow/test-cases.ts) as the fields show it (numbers
// as typed, the caller and called numbers apart from the other variables, the expected path as
// one line), and back. fromDraft() turns what was typed into a case and says, per field, what is
// wrong; flow/test-case-check.ts then adds the rules that need the flow.
import type { BridgeStub, CallerStep, FlowTestCase, HttpStub } from "../../../flow/test-cases";
import type { CaseIssue } from "../../../flow/test-case-check";

export interface StepDraft {
  kind: "press" | "silence" | "hangup";
  press: string;
  gap: string;
  after: string;
  /** "" = at the next input wait. */
  atNode: string;
}
export interface HttpDraft {
  url: string;
  method: string;
  status: string;
  body: string;
}
export interface BridgeDraft {
  to: string;
  outcome: BridgeStub["outcome"];
  ringMs: string;
  talkMs: string;
  cause: string;
}
export interface VarDraft {
  name: string;
  value: string;
}
export interface CaseDraft {
  name: string;
  description: string;
  callerNumber: string;
  calledNumber: string;
  variables: VarDraft[];
  steps: StepDraft[];
  clockOn: boolean;
  clockAt: string;
  clockZone: string;
  http: HttpDraft[];
  bridges: BridgeDraft[];
  /** Node ids in order, separated by commas, spaces or arrows. */
  expectPath: string;
  expectFinal: string;
  expectCause: string;
  expectTransfer: string;
  expectVariables: VarDraft[];
}

const CALLER = "caller_id_number";
const CALLED = "destination_number";
const num = (n: number | undefined) => (n === undefined ? "" : String(n));
const rows = (r: Record<string, string> | undefined, skip: readonly string[] = []): VarDraft[] =>
  Object.entries(r ?? {})
    .filter(([k]) => !skip.includes(k))
    .map(([name, value]) => ({ name, value }));

export const emptyStep = (): StepDraft => ({ kind: "press", press: "", gap: "", after: "", atNode: "" });
export const emptyHttp = (): HttpDraft => ({ url: "", method: "", status: "200", body: "" });
export const emptyBridge = (): BridgeDraft => ({ to: "", outcome: "answer", ringMs: "", talkMs: "", cause: "" });

export function toDraft(tc: FlowTestCase): CaseDraft {
  return {
    name: tc.name,
    description: tc.description ?? "",
    callerNumber: tc.variables?.[CALLER] ?? "",
    calledNumber: tc.variables?.[CALLED] ?? "",
    variables: rows(tc.variables, [CALLER, CALLED]),
    steps: tc.caller.map((s) => ({
      kind: "press" in s ? "press" : "silence" in s ? "silence" : "hangup",
      press: "press" in s ? s.press : "",
      gap: "press" in s ? num(s.gap) : "",
      after: "after" in s ? num(s.after) : "",
      atNode: s.atNode ?? "",
    })),
    clockOn: tc.clock !== undefined,
    clockAt: tc.clock?.at ?? "",
    clockZone: tc.clock?.zone ?? "",
    http: (tc.http ?? []).map((h) => ({ url: h.url ?? "", method: h.method ?? "", status: String(h.status), body: h.body ?? "" })),
    bridges: (tc.bridges ?? []).map((b) => ({ to: b.to ?? "", outcome: b.outcome, ringMs: num(b.ringMs), talkMs: num(b.talkMs), cause: b.cause ?? "" })),
    expectPath: (tc.expect.path ?? []).join(" → "),
    expectFinal: tc.expect.finalNode ?? "",
    expectCause: tc.expect.hangupCause ?? "",
    expectTransfer: tc.expect.transferTo ?? "",
    expectVariables: rows(tc.expect.variables),
  };
}

/** Node ids as typed on one line: "start, answer → menu". */
export const splitPath = (text: string): string[] => text.split(/[\s,→>]+/).filter((s) => s !== "" && s !== "-");

/**
 * The case the fields describe (possibly invalid: the schema check follows) and the issues
 * only the form can see (a number that is not one, a variable named twice).
 */
export function fromDraft(d: CaseDraft): { value: Record<string, unknown>; issues: CaseIssue[] } {
  const issues: CaseIssue[] = [];
  const whole = (text: string, field: string, what: string): number | undefined => {
    const t = text.trim();
    if (t === "") return undefined;
    if (!/^\d+$/.test(t)) {
      issues.push({ field, message: `${what} is a whole number${field.endsWith("status") ? "" : " of milliseconds"}.` });
      return undefined;
    }
    return Number(t);
  };
  const record = (list: VarDraft[], field: string, extra: Record<string, string> = {}): Record<string, string> | undefined => {
    const out: Record<string, string> = { ...extra };
    for (const r of list) {
      const name = r.name.trim();
      if (name === "" && r.value === "") continue;
      if (name === "") issues.push({ field, message: "Every variable needs a name." });
      else if (name in out) issues.push({ field, message: `The variable ${name} is set twice.` });
      else out[name] = r.value;
    }
    return Object.keys(out).length ? out : undefined;
  };

  const caller: CallerStep[] = d.steps.map((s, i) => {
    const at = s.atNode ? { atNode: s.atNode } : {};
    const after = whole(s.after, `caller.${i}.after`, "The delay");
    if (s.kind === "silence") return { silence: true, ...at } as CallerStep;
    if (s.kind === "hangup") return { hangup: true, ...(after !== undefined ? { after } : {}), ...at } as CallerStep;
    const gap = whole(s.gap, `caller.${i}.gap`, "The gap");
    return { press: s.press.trim(), ...(gap !== undefined ? { gap } : {}), ...(after !== undefined ? { after } : {}), ...at } as CallerStep;
  });
  const fixed: Record<string, string> = {};
  if (d.callerNumber.trim()) fixed[CALLER] = d.callerNumber.trim();
  if (d.calledNumber.trim()) fixed[CALLED] = d.calledNumber.trim();
  const variables = record(d.variables, "variables", fixed);
  const http: HttpStub[] = d.http.map((h, i) => {
    const status = whole(h.status, `http.${i}.status`, "The status");
    return {
      ...(h.url.trim() ? { url: h.url.trim() } : {}),
      ...(h.method.trim() ? { method: h.method.trim().toUpperCase() } : {}),
      status: status as number, // absent when not a number: the schema then says so too
      ...(h.body ? { body: h.body } : {}),
    };
  });
  const bridges: BridgeStub[] = d.bridges.map((b, i) => {
    const ringMs = whole(b.ringMs, `bridges.${i}.ringMs`, "The ring time");
    const talkMs = whole(b.talkMs, `bridges.${i}.talkMs`, "The talk time");
    return {
      ...(b.to.trim() ? { to: b.to.trim() } : {}),
      outcome: b.outcome,
      ...(ringMs !== undefined ? { ringMs } : {}),
      ...(talkMs !== undefined && b.outcome === "answer" ? { talkMs } : {}),
      ...(b.cause && b.outcome === "failed" ? { cause: b.cause } : {}),
    };
  });
  const path = splitPath(d.expectPath);
  const expectVariables = record(d.expectVariables, "expect.variables");
  const value: Record<string, unknown> = {
    name: d.name.trim(),
    ...(d.description.trim() ? { description: d.description.trim() } : {}),
    caller,
    ...(d.clockOn ? { clock: { at: d.clockAt.trim(), ...(d.clockZone.trim() ? { zone: d.clockZone.trim() } : {}) } } : {}),
    ...(variables ? { variables } : {}),
    ...(http.length ? { http } : {}),
    ...(bridges.length ? { bridges } : {}),
    expect: {
      ...(path.length ? { path } : {}),
      ...(d.expectFinal ? { finalNode: d.expectFinal } : {}),
      ...(expectVariables ? { variables: expectVariables } : {}),
      ...(d.expectCause ? { hangupCause: d.expectCause } : {}),
      ...(d.expectTransfer.trim() ? { transferTo: d.expectTransfer.trim() } : {}),
    },
  };
  return { value, issues };
}

/** A name not yet taken: "Case 3", "Busy line (copy 2)". */
export function freshName(base: string, taken: readonly string[]): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) {
    const name = `${base} ${n}`;
    if (!taken.includes(name)) return name;
  }
}

/** A new case that passes on any flow that ends normally: the caller does nothing. */
export function newCase(taken: readonly string[]): FlowTestCase {
  return { name: freshName("New case", taken), caller: [], expect: { hangupCause: "NORMAL_CLEARING" } };
}
