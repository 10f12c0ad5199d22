// The FlowGraph document: what the designer saves and the generators read.
// Node params are kept raw here (validated per kind by validate()), so a document
// with a bad parameter still loads and can be fixed in the designer.
import { z } from "zod";
import { FLITE_VOICES } from "./catalog/media";
import { ui } from "./catalog/spec";
import { flowTestCasesSchema } from "./test-cases";

/** Bump when the document shape changes, and add a step to MIGRATIONS. */
export const SCHEMA_VERSION = 1;

export const positionSchema = z.object({ x: z.number(), y: z.number() });

export const flowNodeSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  label: z.string().default(""),
  params: z.record(z.string(), z.unknown()).default({}),
  position: positionSchema.default({ x: 0, y: 0 }),
});

export const flowEdgeSchema = z.object({
  id: z.string().optional(),
  source: z.string().min(1),
  /** The source node's outcome key (`next`, `failed`, a menu choice...). */
  outcome: z.string().min(1),
  target: z.string().min(1),
});

export const HANGUP_HOOK_MODES = ["none", "log", "exit"] as const;

export const flowSettingsSchema = z.object({
  ttsEngine: ui(z.enum(["flite"]).default("flite"), {
    widget: "select",
    label: "TTS engine",
    options: ["flite"],
    help: "FreeSWITCH's mod_flite; the runtime uses Debian's flite with the same voices.",
  }),
  ttsVoice: ui(z.enum(FLITE_VOICES).default("kal"), { widget: "select", label: "TTS voice", options: FLITE_VOICES }),
  language: ui(z.string().default("en"), { widget: "text", label: "Language", help: "Sets default_language." }),
  hangupHook: ui(z.enum(HANGUP_HOOK_MODES).default("exit"), {
    widget: "select",
    label: "When the call ends early",
    options: HANGUP_HOOK_MODES,
    help: "The call went down before the flow finished (the caller hung up, the far end of a bridge, a timeout). exit: log and stop the script at once; log: log and let the script wind down; none: no hook.",
  }),
  variables: ui(z.array(z.object({ name: z.string(), value: z.string() })).default([]), {
    widget: "keyvalue",
    label: "Variables",
    help: "Channel variables set when the call enters the flow.",
  }),
  requirePassingTests: ui(z.boolean().default(false), {
    widget: "boolean",
    label: "Publishing requires passing test cases",
    help: "Publish runs the flow's test cases (Lua and TypeScript) first and refuses when any fails.",
  }),
});

export const flowGraphSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  name: z.string().min(1).default("Untitled flow"),
  description: z.string().default(""),
  settings: flowSettingsSchema.default(flowSettingsSchema.parse({})),
  nodes: z.array(flowNodeSchema),
  edges: z.array(flowEdgeSchema).default([]),
  /** Test cases run by `ivr test` (flow/test-cases.ts). */
  tests: flowTestCasesSchema.optional(),
});

export type FlowGraph = z.output<typeof flowGraphSchema>;
export type FlowGraphInput = z.input<typeof flowGraphSchema>;
export type FlowNode = z.output<typeof flowNodeSchema>;
export type FlowEdge = z.output<typeof flowEdgeSchema>;
export type FlowSettings = z.output<typeof flowSettingsSchema>;

/** Upgrade steps: MIGRATIONS[n] turns a version-n document into version n+1. */
const MIGRATIONS: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> = {
  // 0: documents written before the schema carried a version.
  0: (doc) => ({ ...doc, schemaVersion: 1 }),
};

export class FlowLoadError extends Error {
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = "FlowLoadError";
  }
}

/** Bring any stored document to the current schema version (pure; throws FlowLoadError). */
export function migrateFlow(raw: unknown): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new FlowLoadError("A flow document must be a JSON object");
  }
  let doc = raw as Record<string, unknown>;
  let version = doc.schemaVersion === undefined ? 0 : doc.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new FlowLoadError(`schemaVersion must be a whole number, got ${JSON.stringify(doc.schemaVersion)}`);
  }
  if (version > SCHEMA_VERSION) {
    throw new FlowLoadError(
      `This flow was saved by a newer IVR Studio (schema ${version}; this one reads up to ${SCHEMA_VERSION})`,
    );
  }
  while (version < SCHEMA_VERSION) {
    doc = MIGRATIONS[version](doc);
    version++;
  }
  return doc;
}

/** Load a flow document of any known version; throws FlowLoadError with readable issues. */
export function loadFlow(raw: unknown): FlowGraph {
  const doc = migrateFlow(raw);
  const r = flowGraphSchema.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = issues[0];
    throw new FlowLoadError(
      `Not a valid flow document: ${first.path ? `${first.path}: ` : ""}${first.message}` +
        (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
      issues,
    );
  }
  return r.data;
}

/** The edge leaving `source` through `outcome`, if connected. */
export function edgeFrom(flow: FlowGraph, source: string, outcome: string): FlowEdge | undefined {
  return flow.edges.find((e) => e.source === source && e.outcome === outcome);
}
