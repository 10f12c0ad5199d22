// Read a flow file from disk and load it, turning every way it can go wrong into one
// CliError line: missing file, a folder, not JSON (with line and column), wrong schema.
import { readFileSync, statSync } from "node:fs";
import { FlowLoadError, loadFlow, type FlowGraph } from "../flow";
import { CliError, oneLine } from "./errors";
import { locateJsonError } from "./json-error";

/** Flow files larger than this are refused (the designer's own limit is far lower). */
const MAX_FLOW_BYTES = 20 * 1024 * 1024;

export function readFlowFile(file: string): FlowGraph {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new CliError(`${file}: is a folder, not a flow file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === "ENOENT" ? `${file}: no such file` : `${file}: cannot read (${code ?? String(e)})`);
  }
  if (size > MAX_FLOW_BYTES) throw new CliError(`${file}: too large for a flow (${size} bytes)`);

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const where = locateJsonError(text);
    const detail = where ? `${where.message} at line ${where.line}, column ${where.column}` : oneLine(String((e as Error).message));
    throw new CliError(`${file}: not valid JSON (${detail})`);
  }

  try {
    return loadFlow(raw);
  } catch (e) {
    if (e instanceof FlowLoadError) throw new CliError(`${file}: ${oneLine(e.message)}`);
    throw e;
  }
}
