// Public API of the generators: FlowGraph -> Lua (FreeSWITCH mod_lua) or TypeScript (bundled runtime).
import type { FlowGraph, Diagnostic, ValidateOptions } from "../flow";

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

export function generate(flow: FlowGraph, language: Language, options: GenerateOptions = {}): GeneratedScript {
  void flow;
  void options;
  throw new Error(`generate(${language}): not implemented yet`);
}
