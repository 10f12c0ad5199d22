// --phrases FILE.json for export and serve: the designer's phrase library as GET /api/phrases
// gives it ({ "phrases": [...] }) or a bare array of macros. A macro that FreeSWITCH would
// misplay (an error of flow/phrases.ts's checks) is refused with where it is.
import { readFileSync, statSync } from "node:fs";
import { checkPhrase, phraseMacroSchema, type PhraseMacro } from "../flow/phrases";
import { CliError, oneLine } from "./errors";

const MAX_BYTES = 10 * 1024 * 1024;

export function readPhrasesFile(file: string): PhraseMacro[] {
  let text: string;
  try {
    if (statSync(file).size > MAX_BYTES) throw new CliError(`--phrases ${file}: too large (over 10 MB)`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`--phrases ${file}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? String(e)})`}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    throw new CliError(`--phrases ${file}: not valid JSON (${oneLine((e as Error).message)})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { phrases?: unknown })?.phrases;
  if (!Array.isArray(list)) throw new CliError(`--phrases ${file}: expected { "phrases": [...] } (as GET /api/phrases gives) or an array of phrase macros`);
  return list.map((item, i) => {
    const r = phraseMacroSchema.safeParse(item);
    const label = `--phrases ${file}: phrase ${i + 1}${typeof (item as { name?: unknown })?.name === "string" ? ` (${(item as { name: string }).name.slice(0, 80)})` : ""}`;
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new CliError(`${label}: ${issue.path.join(".") || "the macro"}: ${oneLine(issue.message)}`);
    }
    const error = checkPhrase(r.data).find((d) => d.severity === "error");
    if (error) throw new CliError(`${label}: ${error.message}`);
    return r.data;
  });
}
