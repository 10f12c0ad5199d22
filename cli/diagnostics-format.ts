// How diagnostics are printed: one line each, grep-friendly, like a compiler.
import type { Diagnostic } from "../flow";

/** `file: error IVR1005 [node ask_account] message` */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where: string[] = [];
  if (d.nodeId !== undefined) where.push(`node ${d.nodeId}`);
  if (d.outcome !== undefined) where.push(`outcome ${d.outcome}`);
  if (d.param !== undefined) where.push(`param ${d.param}`);
  const at = where.length ? ` [${where.join(", ")}]` : "";
  return `${file}: ${d.severity} ${d.code}${at} ${d.message.replace(/\s*\n\s*/g, " ")}`;
}

export function summarize(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === "error").length;
  const warnings = ds.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}
