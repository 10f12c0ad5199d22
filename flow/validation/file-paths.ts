// IVR1021: a flow's files stay under their roots (sounds for what it plays, recordings for
// what it records): no absolute path, no ".." out of the root, no other URL schemes. The
// catalog entry of each kind says which params are files (`files`). The variables that say
// where those roots are (sound_prefix, recordings_dir) may only point inside them.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { filePathProblem, folderVariableProblem } from "../file-paths";
import { nodeName, quote, type ValidationContext } from "./context";
import { paramWords, valuesAt } from "./schema-walk";
import { variablePaths } from "./variables";

export function checkFilePaths(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    if (!info.params || !info.spec?.files) continue;
    for (const { param, path, root } of info.spec.files(info.params)) {
      const problem = filePathProblem(path, root);
      if (!problem) continue;
      ctx.out.push({
        code: C.FILE_OUTSIDE_ROOT,
        severity: "error",
        message: `${nodeName(info)}: ${paramWords(info.spec.params, param.split("."))} ${quote(path, 60)} ${problem}.`,
        nodeId: info.node.id,
        param,
      });
    }
  }
}

export function checkFolderVariables(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    if (!info.params || !info.spec) continue;
    const p = info.params;
    for (const pattern of variablePaths(info.node.kind, info.spec.params)) {
      for (const { path, value: name } of valuesAt(p, pattern)) {
        if (typeof name !== "string") continue;
        // Set variable writes its Value (unset is always fine); every other write is call data.
        if (info.node.kind === "set_variable" && p.mode === "unset") continue;
        const value = info.node.kind === "set_variable" && p.mode === "set" ? String(p.value ?? "") : undefined;
        const problem = folderVariableProblem(name.trim(), value);
        if (!problem) continue;
        const param = value === undefined ? path.join(".") : "value";
        ctx.out.push({
          code: C.FILE_OUTSIDE_ROOT,
          severity: "error",
          message: `${nodeName(info)}: ${paramWords(info.spec.params, param.split("."))} ${quote(value ?? name, 60)}: ${problem}.`,
          nodeId: info.node.id,
          param,
        });
      }
    }
  }
  // Execute set/export name=value: the same write through a dialplan application.
  for (const info of ctx.infos) {
    const p = info.params;
    if (info.node.kind !== "execute" || !p || !["set", "export"].includes(String(p.application).trim())) continue;
    const data = String(p.data ?? "").replace(/^nolocal:/, "");
    const eq = data.indexOf("=");
    const problem = eq > 0 ? folderVariableProblem(data.slice(0, eq).trim(), data.slice(eq + 1)) : undefined;
    if (problem) {
      ctx.out.push({ code: C.FILE_OUTSIDE_ROOT, severity: "error", message: `${nodeName(info)}: Data ${quote(data, 60)}: ${problem}.`, nodeId: info.node.id, param: "data" });
    }
  }
  const declared = ctx.flow.settings?.variables;
  if (!Array.isArray(declared)) return;
  declared.forEach((v, i) => {
    const problem = typeof v?.name === "string" ? folderVariableProblem(v.name.trim(), String(v.value ?? "")) : undefined;
    if (problem) {
      ctx.out.push({ code: C.FILE_OUTSIDE_ROOT, severity: "error", message: `Flow settings: variable #${i + 1} ${quote(v.value, 60)}: ${problem}.`, param: `settings.variables.${i}.value` });
    }
  });
}
