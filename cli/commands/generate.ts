// ivr generate FLOW.json [--lang lua|ts] [-o FILE] [--version N] [--admin]
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { hasErrors, validate } from "../../flow";
import { generate, GenerateError, type Language } from "../../generators";
import { intOption, oneFile, parseCommandArgs } from "../args";
import { formatDiagnostic } from "../diagnostics-format";
import { CliError, EXIT } from "../errors";
import { readFlowFile } from "../load-flow";
import type { Output } from "../output";

export function runGenerate(argv: string[], io: Output): number {
  const { values, positionals } = parseCommandArgs("generate", argv, {
    lang: { type: "string" },
    out: { type: "string", short: "o" },
    version: { type: "string" },
    admin: { type: "boolean" },
  });
  const file = oneFile("generate", positionals);
  const outFile = values.out as string | undefined;
  const language = pickLanguage(values.lang as string | undefined, outFile);
  const flowVersion = intOption("version", values.version, 1);
  const flow = readFlowFile(file);
  const validateOptions = { authorIsAdmin: values.admin === true };

  // Validate here too, so warnings are shown and errors come out in the CLI's format.
  const diagnostics = validate(flow, validateOptions);
  for (const d of diagnostics) io.err(formatDiagnostic(file, d));
  if (hasErrors(diagnostics)) {
    io.err(`ivr: ${file}: not generated, the flow has errors`);
    return EXIT.FLOW_ERRORS;
  }

  let code: string;
  try {
    code = generate(flow, language, { flowVersion, validate: validateOptions }).code;
  } catch (e) {
    if (!(e instanceof GenerateError)) throw e;
    for (const d of e.diagnostics.filter((x) => !diagnostics.some((y) => sameDiagnostic(x, y)))) io.err(formatDiagnostic(file, d));
    io.err(`ivr: ${file}: not generated, the flow has errors`);
    return EXIT.FLOW_ERRORS;
  }

  if (outFile === undefined) {
    io.out(code);
  } else {
    writeOutput(outFile, code);
    io.err(`ivr: wrote ${outFile} (${language}, ${code.split("\n").length} lines)`);
  }
  return EXIT.OK;
}

function pickLanguage(lang: string | undefined, outFile: string | undefined): Language {
  if (lang === undefined) return outFile?.endsWith(".ts") ? "ts" : "lua";
  if (lang === "lua" || lang === "ts") return lang;
  throw new CliError(`--lang must be lua or ts, got '${lang}'`);
}

function writeOutput(outFile: string, content: string): void {
  try {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, content);
  } catch (e) {
    throw new CliError(`${outFile}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function sameDiagnostic(a: { code: string; nodeId?: string; message: string }, b: typeof a): boolean {
  return a.code === b.code && a.nodeId === b.nodeId && a.message === b.message;
}
