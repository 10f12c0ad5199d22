// Type-checks generated TypeScript with the repo's tsconfig (strict, paths for
// "ivr-studio/runtime"), in memory: the sources are virtual files inside the repo so that
// module resolution works exactly as for a checked-in script. One program for many sources.
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

export interface TypeCheckResult {
  /** Diagnostics per virtual file name, formatted "line:col message". */
  errors: Record<string, string[]>;
}

let cachedOptions: ts.CompilerOptions | undefined;
function repoOptions(): ts.CompilerOptions {
  if (cachedOptions) return cachedOptions;
  const configPath = path.join(REPO, "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO);
  cachedOptions = { ...parsed.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined, plugins: [] };
  return cachedOptions;
}

/** sources: name -> TypeScript text. Returns the errors of those files only. */
export function typeCheck(sources: Record<string, string>): TypeCheckResult {
  const options = repoOptions();
  const virtualDir = path.join(REPO, "test", ".generated-typecheck");
  const files = new Map(Object.entries(sources).map(([name, text]) => [path.join(virtualDir, `${name}.ts`), text]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = files.get(path.resolve(fileName));
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    return getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(path.resolve(f)) || fileExists(f);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => files.get(path.resolve(f)) ?? readFile(f);
  const program = ts.createProgram([...files.keys()], options, host);
  const errors: Record<string, string[]> = {};
  for (const [file] of files) {
    const sf = program.getSourceFile(file);
    const name = path.basename(file, ".ts");
    const diags = sf ? [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)] : [];
    errors[name] = diags.map((d) => {
      const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      return `${pos ? `${pos.line + 1}:${pos.character + 1} ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
  }
  return { errors };
}
