// Public API of the generators: FlowGraph -> Lua (FreeSWITCH mod_lua) or TypeScript (bundled runtime).
import { DIAGNOSTIC_CODES, hasErrors, validate, type FlowGraph, type Diagnostic, type ValidateOptions } from "../flow";
import { lowerFlow, LoweringError } from "./common/lower";
import { printLua } from "./lua/print";
import { printTs } from "./typescript/print";

export type Language = "lua" | "ts";

/** Node id -> 1-based inclusive line range of its code in the script. */
export type NodeLineMap = Record<string, { start: number; end: number }>;

export interface GeneratedScript {
  language: Language;
  code: string;
  map: NodeLineMap;
}

export interface GenerateOptions {
  /** Shown in the header comment (e.g. the published version number); "draft" by default. */
  flowVersion?: number | string;
  validate?: ValidateOptions;
}

export const GENERATOR_VERSION = "1.0.0";

/** Thrown when the flow has validation errors; carries every diagnostic. */
export class GenerateError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`The flow has ${diagnostics.filter((d) => d.severity === "error").length} error(s)`);
    this.name = "GenerateError";
  }
}

/**
 * Generate the script of a flow. Throws GenerateError when validate() reports errors (or,
 * should the validator miss one, when a node cannot be lowered). Deterministic: the same
 * flow and options give the same bytes.
 */
export function generate(flow: FlowGraph, language: Language, options: GenerateOptions = {}): GeneratedScript {
  const diagnostics = validate(flow, options.validate);
  if (hasErrors(diagnostics)) throw new GenerateError(diagnostics);
  const structural = structuralErrors(flow);
  if (structural.length > 0) throw new GenerateError(structural);
  let ir;
  try {
    ir = lowerFlow(flow, String(options.flowVersion ?? "draft"));
  } catch (err) {
    if (!(err instanceof LoweringError)) throw err;
    const code = err.reason === "kind" ? DIAGNOSTIC_CODES.UNKNOWN_KIND : DIAGNOSTIC_CODES.BAD_PARAM;
    throw new GenerateError([{ code, severity: "error", message: err.message, nodeId: err.nodeId || undefined }]);
  }
  if (language === "lua") return printLua(ir);
  if (language === "ts") return printTs(ir);
  throw new Error(`Unknown language ${String(language)}`);
}

/** The few checks generation itself depends on, in case validate() does not make them. */
function structuralErrors(flow: FlowGraph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const starts = flow.nodes.filter((n) => n.kind === "start");
  if (starts.length === 0) {
    out.push({ code: DIAGNOSTIC_CODES.NO_START, severity: "error", message: "The flow needs a Start node" });
  } else if (starts.length > 1) {
    out.push({ code: DIAGNOSTIC_CODES.MANY_STARTS, severity: "error", message: "The flow has more than one Start node", nodeId: starts[1].id });
  }
  const seen = new Set<string>();
  for (const n of flow.nodes) {
    if (seen.has(n.id)) {
      out.push({ code: DIAGNOSTIC_CODES.DUPLICATE_NODE_ID, severity: "error", message: `Two nodes have the id ${n.id}`, nodeId: n.id });
    }
    seen.add(n.id);
  }
  return out;
}
