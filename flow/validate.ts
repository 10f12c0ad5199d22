// validate(): every rule over a flow, in a fixed order; validateDocument(): the same for a raw
// document that may not even load (the CLI and the API start there).
import { checkKnownPrompts } from "./validation/known-prompts";
import { checkDialTargets } from "./validation/dial-targets";
import { checkKnownPhrases } from "./validation/known-phrases";
import type { z } from "zod";
import type { NodeKindSpec } from "./catalog/spec";
import { DIAGNOSTIC_CODES, type Diagnostic, type ValidateOptions } from "./diagnostics";
import { FlowLoadError, loadFlow, type FlowGraph } from "./graph";
import { checkConsistency } from "./validation/consistency";
import { buildContext } from "./validation/context";
import { checkAdminReach } from "./validation/admin-reach";
import { checkEdges } from "./validation/edges";
import { checkFilePaths, checkFolderVariables } from "./validation/file-paths";
import { checkReachable, checkSpinCycles } from "./validation/graph-rules";
import { checkHttpHosts } from "./validation/http-allow";
import { checkKinds } from "./validation/kinds";
import { checkParamSchemas, checkRequiredText } from "./validation/params";
import { checkRegexes } from "./validation/regexes";
import { checkNodeIds, checkStart } from "./validation/structure";
import { checkVariableNames } from "./validation/variables";
import { checkTestCases } from "./validation/test-cases";
import { friendlyZodError } from "./validation/zod-messages";

const parseWithFriendlyErrors = (spec: NodeKindSpec, params: unknown) =>
  (spec.params as z.ZodType).safeParse(params, { error: friendlyZodError });

/** Check a flow; returns diagnostics (errors block generation and publishing). */
export function validate(flow: FlowGraph, options: ValidateOptions = {}): Diagnostic[] {
  const ctx = buildContext(flow, options, parseWithFriendlyErrors);
  checkNodeIds(ctx);
  checkStart(ctx);
  checkKinds(ctx);
  checkAdminReach(ctx);
  checkParamSchemas(ctx);
  checkRequiredText(ctx);
  checkVariableNames(ctx);
  checkConsistency(ctx);
  checkRegexes(ctx);
  checkHttpHosts(ctx);
  checkKnownPrompts(ctx);
  checkDialTargets(ctx);
  checkKnownPhrases(ctx);
  checkFilePaths(ctx);
  checkFolderVariables(ctx);
  const edges = checkEdges(ctx);
  checkReachable(ctx, edges);
  checkSpinCycles(ctx, edges);
  checkTestCases(ctx);
  return ctx.out;
}

export interface DocumentValidation {
  /** The loaded (migrated) flow, when the document loads. */
  flow?: FlowGraph;
  diagnostics: Diagnostic[];
}

/**
 * Load then validate a raw document (a parsed JSON value, or JSON text). A document that does
 * not load gives one IVR1000 diagnostic with the loader's message, and no flow.
 */
export function validateDocument(raw: unknown, options: ValidateOptions = {}): DocumentValidation {
  let doc = raw;
  if (typeof raw === "string") {
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      return { diagnostics: [badDocument(`The flow file is not valid JSON: ${(e as Error).message}`)] };
    }
  }
  let flow: FlowGraph;
  try {
    flow = loadFlow(doc);
  } catch (e) {
    if (e instanceof FlowLoadError) return { diagnostics: [badDocument(e.message)] };
    throw e;
  }
  return { flow, diagnostics: validate(flow, options) };
}

const badDocument = (message: string): Diagnostic => ({
  code: DIAGNOSTIC_CODES.BAD_DOCUMENT,
  severity: "error",
  message: /[.!?]$/.test(message) ? message : `${message}.`,
});
