// One test case checked as the designer's case editor needs it: the schema's rules (flow/test-cases.ts)
// and what the schema cannot know (the flow's node ids, the other cases' names, a clock the runner
// can pin, a cause FreeSWITCH has), each issue tied to the field it is about, in words.
import type { z } from "zod";
import { HANGUP_CAUSES } from "./hangup-causes";
import { flowTestCaseSchema, type FlowTestCase } from "./test-cases";
import { friendlyZodError, PREDICATE_MARK } from "./validation/zod-messages";

export interface CaseIssue {
  /** Dotted path inside the case ("caller.0.press", "expect.path", "clock.zone"); "" for the case as a whole. */
  field: string;
  message: string;
}

export interface CaseCheckContext {
  /** The flow's node ids: steps and expectations may only name these. */
  nodeIds: ReadonlySet<string>;
  /** The names of the flow's other cases (names are unique). */
  otherNames?: readonly string[];
}

/** Words for a field, by its last path segment. */
const FIELD_WORDS: Record<string, string> = {
  name: "The name",
  press: "Digits",
  gap: "The gap between digits",
  after: "The delay",
  atNode: "The node",
  url: "The URL",
  method: "The method",
  status: "The status",
  to: "The number",
  outcome: "The outcome",
  ringMs: "The ring time",
  talkMs: "The talk time",
  cause: "The cause",
  at: "The instant",
  zone: "The zone",
  path: "The path",
  finalNode: "The final node",
  hangupCause: "The hangup cause",
  transferTo: "The transfer target",
};

const wordsFor = (path: readonly PropertyKey[]) => FIELD_WORDS[String([...path].reverse().find((p) => typeof p === "string") ?? "")] ?? "This value";

function sentence(path: readonly PropertyKey[], message: string): string {
  if (message.startsWith(PREDICATE_MARK)) return `${wordsFor(path)} ${message.slice(1)}.`;
  return message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? "" : ".");
}

/** An IANA zone name the runtime can pin a clock to. */
function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Check one case; `value` is the parsed case when there is no issue. */
export function checkTestCase(raw: unknown, ctx: CaseCheckContext): { value?: FlowTestCase; issues: CaseIssue[] } {
  const issues: CaseIssue[] = [];
  const parsed = flowTestCaseSchema.safeParse(raw, { error: friendlyZodError as z.core.$ZodErrorMap });
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      // A step that fits none of the three shapes: name the field inside it that is off.
      const field = i.path.join(".");
      issues.push({ field, message: sentence(i.path, i.message) });
    }
  }
  const tc = (parsed.success ? parsed.data : raw) as Partial<FlowTestCase> | undefined;
  if (!tc || typeof tc !== "object") return { issues };
  const unknownNode = (id: unknown) => typeof id === "string" && id !== "" && !ctx.nodeIds.has(id);
  const add = (field: string, message: string) => {
    if (!issues.some((i) => i.field === field)) issues.push({ field, message });
  };

  if (typeof tc.name === "string" && ctx.otherNames?.includes(tc.name)) add("name", `Another test case is named "${tc.name}".`);
  if (Array.isArray(tc.caller)) {
    tc.caller.forEach((step, i) => {
      const atNode = (step as { atNode?: unknown })?.atNode;
      if (unknownNode(atNode)) add(`caller.${i}.atNode`, `There is no node "${atNode}" in this flow.`);
    });
  }
  const clock = tc.clock as { at?: unknown; zone?: unknown } | undefined;
  if (clock && typeof clock.at === "string") {
    if (!/(Z|[+-]\d\d:?\d\d)$/i.test(clock.at.trim())) add("clock.at", `The instant must end with its zone or offset, e.g. 2026-12-07T15:00:00Z.`);
    else if (Number.isNaN(Date.parse(clock.at))) add("clock.at", `The instant is not an ISO 8601 date and time, e.g. 2026-12-07T15:00:00Z.`);
  }
  if (clock && typeof clock.zone === "string" && !knownZone(clock.zone)) add("clock.zone", `"${clock.zone}" is not a time zone; use an IANA name such as Europe/Paris.`);
  if (tc.variables && typeof tc.variables === "object" && Object.keys(tc.variables).some((k) => k.trim() === "")) add("variables", "Every variable needs a name.");
  const x = tc.expect as Partial<FlowTestCase["expect"]> | undefined;
  if (x && typeof x === "object") {
    const missing = Array.isArray(x.path) ? x.path.filter(unknownNode) : [];
    if (missing.length) add("expect.path", `There is no node ${missing.map((m) => `"${m}"`).join(", ")} in this flow.`);
    if (unknownNode(x.finalNode)) add("expect.finalNode", `There is no node "${x.finalNode}" in this flow.`);
    if (typeof x.hangupCause === "string" && !(x.hangupCause in HANGUP_CAUSES)) add("expect.hangupCause", `"${x.hangupCause}" is not a FreeSWITCH hangup cause (e.g. NORMAL_CLEARING).`);
    if (x.variables && Object.keys(x.variables).some((k) => k.trim() === "")) add("expect.variables", "Every expected variable needs a name.");
  }
  return issues.length ? { issues } : { value: parsed.data, issues };
}
