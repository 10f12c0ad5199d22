// IVR1013 beyond admin-only kinds: what an editor's flow could make FreeSWITCH run on its own
// server when the exported Lua runs there. A kind's own admin-only settings come from its
// catalog entry (`needsAdmin`); ${api(args)} calls in text FreeSWITCH expands (`fsExpands`
// hints) and writes to variables FreeSWITCH runs (api_*, execute_on_*, ...) are checked for all.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { apiCallsIn, runsCommands } from "../freeswitch-exec";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";
import { hintPaths, paramWords, valuesAt } from "./schema-walk";
import { variablePaths } from "./variables";

const ADMIN = "only an admin may publish it";

function push(ctx: ValidationContext, info: NodeInfo, param: string, message: string): void {
  ctx.out.push({ code: C.CUSTOM_CODE_NOT_ADMIN, severity: "error", message: `${nodeName(info)}: ${message}.`, nodeId: info.node.id, param });
}

export function checkAdminReach(ctx: ValidationContext): void {
  if (ctx.options.authorIsAdmin === true) return;
  for (const info of ctx.infos) {
    const spec = info.spec;
    const p = info.params;
    if (!spec || !p) continue;
    for (const { param, reason } of spec.needsAdmin?.(p) ?? []) {
      push(ctx, info, param, `${paramWords(spec.params, param.split("."))} ${quote(p[param])}: ${reason}; ${ADMIN}`);
    }
    for (const pattern of hintPaths(spec.params, (h) => h.fsExpands === true)) {
      for (const { path, value } of valuesAt(p, pattern)) {
        const calls = typeof value === "string" ? apiCallsIn(value) : [];
        if (!calls.length) continue;
        push(ctx, info, path.join("."), `${paramWords(spec.params, path)} ${quote(value, 60)} calls the FreeSWITCH API command ${calls.join(", ")} when FreeSWITCH expands it; ${ADMIN}`);
      }
    }
    const written: Array<{ param: string; name: string }> = [];
    for (const pattern of variablePaths(info.node.kind, spec.params)) {
      for (const { path, value } of valuesAt(p, pattern)) if (typeof value === "string") written.push({ param: path.join("."), name: value });
    }
    if (info.node.kind === "execute" && ["set", "export"].includes(String(p.application).trim())) {
      const data = String(p.data ?? "");
      if (data.indexOf("=") > 0) written.push({ param: "data", name: data.slice(0, data.indexOf("=")) });
    }
    for (const { param, name } of written) {
      if (runsCommands(name)) push(ctx, info, param, `FreeSWITCH runs the value of the variable ${quote(name.trim())} as a command; ${ADMIN}`);
    }
  }
  const declared = ctx.flow.settings?.variables;
  if (!Array.isArray(declared)) return;
  declared.forEach((v, i) => {
    if (typeof v?.name === "string" && runsCommands(v.name)) {
      ctx.out.push({
        code: C.CUSTOM_CODE_NOT_ADMIN,
        severity: "error",
        message: `Flow settings: FreeSWITCH runs the value of the variable ${quote(v.name.trim())} as a command; ${ADMIN}.`,
        param: `settings.variables.${i}.name`,
      });
    }
  });
}
