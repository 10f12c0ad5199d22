// IVR1021: a flow's files stay under their roots (sounds for what it plays, recordings for
// what it records): no absolute path, no ".." out of the root, no other URL schemes. The
// catalog entry of each kind says which params are files (`files`).
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { filePathProblem } from "../file-paths";
import { nodeName, quote, type ValidationContext } from "./context";
import { paramWords } from "./schema-walk";

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
