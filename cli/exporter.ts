// The export bundle builder lives in generators/export.ts (another room, landing in parallel).
// Loaded lazily so validate/generate work without it and the CLI says clearly if it is absent.
import type { FlowGraph, ValidateOptions } from "../flow";
import { CliError } from "./errors";

export interface ExportOptions {
  number?: string;
  flowVersion?: number | string;
  scriptName?: string;
  validate?: ValidateOptions;
}

export interface ExportBundle {
  files: Array<{ path: string; content: string }>;
  prompts: string[];
}

export type BuildExportBundle = (flow: FlowGraph, options: ExportOptions) => ExportBundle;

export async function loadExporter(): Promise<BuildExportBundle> {
  const specifier = "../generators/export";
  let mod: { buildExportBundle?: BuildExportBundle };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch {
    throw new CliError("export is not available in this build (generators/export.ts is missing)");
  }
  if (typeof mod.buildExportBundle !== "function") throw new CliError("export is not available (no buildExportBundle)");
  return mod.buildExportBundle;
}
