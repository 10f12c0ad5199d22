// IVR1002 (params that do not fit the kind's schema), IVR1020 (required text left empty)
// and IVR1012 (transfer / bridge with nowhere to go).
import { DIAGNOSTIC_CODES as C, type Severity } from "../diagnostics";
import { nodeName, type NodeInfo, type ValidationContext } from "./context";
import { paramWords, pathString } from "./schema-walk";
import { issueSentence } from "./zod-messages";

export function checkParamSchemas(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    if (!info.spec || !info.issues) continue;
    for (const iss of info.issues) {
      const words = paramWords(info.spec.params, iss.path);
      ctx.out.push({
        code: C.BAD_PARAM,
        severity: "error",
        message: `${nodeName(info)}: ${issueSentence(words, iss.message)}.`,
        nodeId: info.node.id,
        param: pathString(iss.path),
      });
    }
  }
}

/** Text parameters the schema allows empty but a working node needs (kind → param → severity). */
const REQUIRED_TEXT: Record<string, Record<string, Severity>> = {
  menu: { prompt: "error" },
  play: { file: "error" },
  speak: { text: "error" },
  say: { text: "error" },
  phrase: { name: "error" },
  execute: { application: "error" },
  set_variable: { name: "error" },
  branch: { variable: "error" },
  http_request: { url: "error" },
  log: { message: "warning" },
  read_digits: { variable: "error" },
  get_digits: { variable: "error" },
  record: { path: "error" },
};

/** Where the call goes: empty means the node cannot do its job. */
const TARGET_TEXT: Record<string, string> = {
  transfer: "destination",
  bridge: "dialString",
};

const isBlank = (v: unknown) => typeof v === "string" && v.trim() === "";

function wordsOf(info: NodeInfo, param: string): string {
  return info.spec ? paramWords(info.spec.params, [param]) : param;
}

export function checkRequiredText(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    if (!info.params) continue;
    const kind = info.node.kind;
    for (const [param, severity] of Object.entries(REQUIRED_TEXT[kind] ?? {})) {
      if (!isBlank(info.params[param])) continue;
      const consequence = severity === "warning" ? "the log line will be blank" : "the node cannot work without it";
      ctx.out.push({
        code: C.EMPTY_REQUIRED,
        severity,
        message: `${nodeName(info)}: ${wordsOf(info, param)} is empty; ${consequence}.`,
        nodeId: info.node.id,
        param,
      });
    }
    const target = TARGET_TEXT[kind];
    if (target && isBlank(info.params[target])) {
      ctx.out.push({
        code: C.EMPTY_TARGET,
        severity: "error",
        message: `${nodeName(info)}: ${wordsOf(info, target)} is empty, so the call has nowhere to go.`,
        nodeId: info.node.id,
        param: target,
      });
    }
  }
}
