// IVR1002 (params that do not fit the kind's schema), IVR1020 (required text left empty)
// and IVR1012 (transfer / bridge with nowhere to go).
import type { z } from "zod";
import { uiHintOf, type UiHint } from "../catalog/spec";
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
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

const isBlank = (v: unknown) => typeof v === "string" && v.trim() === "";

/** Top-level params whose UI hint marks them required, per kind (derived from the catalog). */
const requiredCache = new Map<string, Array<{ param: string; level: NonNullable<UiHint["required"]> }>>();
function requiredParams(info: NodeInfo) {
  const kind = info.node.kind;
  let list = requiredCache.get(kind);
  if (!list && info.spec) {
    list = Object.entries(info.spec.params.shape).flatMap(([param, schema]) => {
      const level = uiHintOf(schema as z.ZodType)?.required;
      return level ? [{ param, level }] : [];
    });
    requiredCache.set(kind, list);
  }
  return list ?? [];
}

export function checkRequiredText(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    if (!info.params || !info.spec) continue;
    for (const { param, level } of requiredParams(info)) {
      if (!isBlank(info.params[param])) continue;
      const words = paramWords(info.spec.params, [param]);
      if (level === "target") {
        ctx.out.push({
          code: C.EMPTY_TARGET,
          severity: "error",
          message: `${nodeName(info)}: ${words} is empty, so the call has nowhere to go.`,
          nodeId: info.node.id,
          param,
        });
        continue;
      }
      const consequence = level === "warning" ? "the node still works, but does nothing useful" : "the node cannot work without it";
      ctx.out.push({
        code: C.EMPTY_REQUIRED,
        severity: level,
        message: `${nodeName(info)}: ${words} is empty; ${consequence}.`,
        nodeId: info.node.id,
        param,
      });
    }
  }
}
