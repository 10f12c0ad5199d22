// IVR1011: channel variable names must be plain identifiers, the same rule in Lua,
// FreeSWITCH's ${var} expansion and our runtime.
import type { z } from "zod";
import { specOf } from "../catalog";
import { VARIABLE_NAME_RE } from "../catalog/spec";
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";
import { paramWords, valuesAt, widgetPaths } from "./schema-walk";

/** Key-value lists whose names are variables (the other key-value lists, e.g. headers, are not). */
const VARIABLE_LISTS: Record<string, string[]> = { http_request: ["responseVariables"] };

const variablePathsCache = new Map<string, string[][]>();
/** Paths (with "*" for list items) of the params of a kind that name a channel variable it writes. */
export function variablePaths(kind: string, schema: z.ZodType): string[][] {
  let paths = variablePathsCache.get(kind);
  if (!paths) {
    paths = widgetPaths(schema, "variable");
    for (const list of VARIABLE_LISTS[kind] ?? []) paths.push([list, "*", "name"]);
    variablePathsCache.set(kind, paths);
  }
  return paths;
}

const badName = (v: unknown): v is string => typeof v === "string" && v.trim() !== "" && !VARIABLE_NAME_RE.test(v);
const RULE = "use letters, digits and _ only, not starting with a digit";

function checkNode(ctx: ValidationContext, info: NodeInfo): void {
  const spec = info.spec ?? specOf(info.node.kind);
  if (!spec || !info.params) return;
  for (const pattern of variablePaths(info.node.kind, spec.params)) {
    for (const { path, value } of valuesAt(info.params, pattern)) {
      // Empty: optional ones are fine, required ones are reported as empty (IVR1020);
      // but a list row (e.g. a response field) with no name is a mistake.
      const emptyRow = pattern.includes("*") && typeof value === "string" && value.trim() === "";
      if (!badName(value) && !emptyRow) continue;
      ctx.out.push({
        code: C.BAD_VARIABLE_NAME,
        severity: "error",
        message: `${nodeName(info)}: ${paramWords(spec.params, path)} ${quote(value)} is not a valid variable name; ${RULE}.`,
        nodeId: info.node.id,
        param: path.join("."),
      });
    }
  }
}

export function checkVariableNames(ctx: ValidationContext): void {
  for (const info of ctx.infos) checkNode(ctx, info);
  const declared = ctx.flow.settings?.variables;
  if (!Array.isArray(declared)) return;
  declared.forEach((v, i) => {
    const name = v?.name;
    if (typeof name === "string" && (name === "" || !VARIABLE_NAME_RE.test(name))) {
      ctx.out.push({
        code: C.BAD_VARIABLE_NAME,
        severity: "error",
        message: `Flow settings: variable #${i + 1} ${quote(name)} is not a valid variable name; ${RULE}.`,
        param: `settings.variables.${i}.name`,
      });
    }
  });
}
