// ivr export FLOW.json -o DIR [--number N] [--media DIR] [--version N] [--admin] [--phrases FILE.json]
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from "node:path";
import { GenerateError } from "../../generators";
import { buildExportBundle } from "../../generators/export";
import { intOption, oneFile, parseCommandArgs } from "../args";
import { formatDiagnostic } from "../diagnostics-format";
import { CliError, EXIT } from "../errors";
import { readFlowFile } from "../load-flow";
import type { Output } from "../output";
import { readPhrasesFile } from "../phrases-file";
import { findPrompt, isFreeSwitchSound, type PromptLookup } from "../prompt-files";

export const MISSING_PROMPTS_FILE = "MISSING_PROMPTS.txt";

export function runExport(argv: string[], io: Output): number {
  const { values, positionals } = parseCommandArgs("export", argv, {
    out: { type: "string", short: "o" },
    number: { type: "string" },
    media: { type: "string" },
    version: { type: "string" },
    admin: { type: "boolean" },
    phrases: { type: "string" },
  });
  const file = oneFile("export", positionals);
  const outDir = values.out as string | undefined;
  if (!outDir) throw new CliError("'export' needs an output folder: -o DIR (see: ivr help export)");
  const number = values.number as string | undefined;
  if (number !== undefined && !/^\+?[0-9A-Za-z_*#-]{1,32}$/.test(number)) {
    throw new CliError(`--number must be a dialable number (digits, +, *, #), got '${number}'`);
  }
  const flowVersion = intOption("version", values.version, 1);
  const mediaDir = values.media as string | undefined;
  if (mediaDir !== undefined && !existsSync(mediaDir)) throw new CliError(`--media ${mediaDir}: no such folder`);

  const flow = readFlowFile(file);
  const phrases = values.phrases !== undefined ? readPhrasesFile(values.phrases as string) : [];
  let bundle;
  try {
    bundle = buildExportBundle(flow, {
      number,
      flowVersion,
      scriptName: basename(file, extname(file)), // slugged by the bundle builder
      validate: { authorIsAdmin: values.admin === true },
      phrases,
    });
  } catch (e) {
    if (!(e instanceof GenerateError)) throw e;
    for (const d of e.diagnostics) io.err(formatDiagnostic(file, d));
    io.err(`ivr: ${file}: not exported, the flow has errors`);
    return EXIT.FLOW_ERRORS;
  }

  const root = resolve(outDir);
  for (const f of bundle.files) writeInside(root, f.path, f.content);

  const searchDirs = mediaDir !== undefined ? [mediaDir] : ["media", dirname(file)];
  const lookups = bundle.prompts.map((p) => findPrompt(p, searchDirs));
  let copied = 0;
  for (const l of lookups) {
    if (l.status !== "found") continue;
    const target = insideOrFail(root, join("sounds", l.prompt));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(l.source, target);
    copied++;
  }
  const missing = lookups.filter((l) => l.status !== "found");
  const missingFile = join(root, MISSING_PROMPTS_FILE);
  if (missing.length) writeFileSync(missingFile, missingPromptsText(missing, searchDirs));
  else rmSync(missingFile, { force: true }); // a stale list from an earlier export would mislead

  io.out(`Exported ${file} to ${outDir}: ${bundle.files.map((f) => f.path).join(", ")}`);
  io.out(`Prompts: ${bundle.prompts.length} referenced, ${copied} copied into sounds/, ${missing.length} missing`);
  for (const m of missing) io.out(`  missing: ${m.prompt}${describeMissing(m)}`);
  if (missing.length) io.out(`The list is in ${join(outDir, MISSING_PROMPTS_FILE)}`);
  return EXIT.OK;
}

function describeMissing(l: PromptLookup): string {
  if (l.status === "not-bundlable") return ` (${l.reason})`;
  return isFreeSwitchSound(l.prompt) ? " (in FreeSWITCH's default sound set)" : " (needs a recording)";
}

/** Grouped by what to do about them; paths alone on their lines, for copy and paste. */
function missingPromptsText(missing: PromptLookup[], searchDirs: string[]): string {
  const stock = missing.filter((m) => m.status === "missing" && isFreeSwitchSound(m.prompt));
  const record = missing.filter((m) => m.status === "missing" && !isFreeSwitchSound(m.prompt));
  const other = missing.filter((m) => m.status === "not-bundlable");
  const lines = [
    `# Prompts this flow plays that were not found locally (looked in: ${searchDirs.join(", ")}).`,
    "# Paths are relative to the server's sound_prefix.",
  ];
  const group = (title: string, items: PromptLookup[]) => {
    if (items.length) lines.push("", `# ${title}`, ...items.map((m) => m.prompt + describeOther(m)));
  };
  group("Need a recording (install under the sound_prefix):", record);
  group("Shipped with FreeSWITCH's default sound set (en/us/callie); nothing to do on a stock server:", stock);
  group("Cannot be bundled:", other);
  return `${lines.join("\n")}\n`;
}

function describeOther(l: PromptLookup): string {
  return l.status === "not-bundlable" ? `  # ${l.reason}` : "";
}

function insideOrFail(root: string, path: string): string {
  const target = resolve(root, path);
  const rel = relative(root, target);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) throw new CliError(`bundle path escapes the output folder: ${path}`);
  return target;
}

function writeInside(root: string, path: string, content: string): void {
  const target = insideOrFail(root, path);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  } catch (e) {
    throw new CliError(`${target}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
