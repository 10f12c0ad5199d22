import type { Diagnostic, ValidateOptions } from "./diagnostics";
import type { FlowGraph } from "./graph";

/** Check a flow; returns diagnostics (errors block generation and publishing). */
export function validate(flow: FlowGraph, options: ValidateOptions = {}): Diagnostic[] {
  void flow;
  void options;
  return [];
}
