// IVR1010: patterns must read the same in FreeSWITCH's PCRE and JavaScript.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { checkPortableRegex } from "../regex-subset";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";
import { paramWords } from "./schema-walk";

function checkNode(ctx: ValidationContext, info: NodeInfo): void {
  const list = info.params && info.spec?.patterns ? info.spec.patterns(info.params) : [];
  for (const { param, pattern } of list) {
    const path = param.split(".");
    const reason = checkPortableRegex(pattern);
    if (!reason) continue;
    ctx.out.push({
      code: C.NON_PORTABLE_REGEX,
      severity: "error",
      message: `${nodeName(info)}: the pattern ${quote(pattern)} in ${paramWords(info.spec!.params, path)} cannot be used: ${reason}.`,
      nodeId: info.node.id,
      param,
    });
  }
}

export function checkRegexes(ctx: ValidationContext): void {
  for (const info of ctx.infos) checkNode(ctx, info);
}
