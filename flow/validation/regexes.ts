// IVR1010: patterns must read the same in FreeSWITCH's PCRE and JavaScript.
import { isLiteralChoice } from "../catalog";
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { checkPortableRegex } from "../regex-subset";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";
import { paramWords } from "./schema-walk";

type Pattern = { path: string[]; pattern: string };

/** The patterns a node holds, per kind. */
const PATTERNS: Record<string, (p: Record<string, unknown>) => Pattern[]> = {
  menu: (p) =>
    (p.choices as Array<{ key: string }>)
      .map((c, i) => ({ path: ["choices", String(i), "key"], pattern: c.key }))
      .filter((x) => !isLiteralChoice(x.pattern)),
  read_digits: (p) => (p.regex ? [{ path: ["regex"], pattern: p.regex as string }] : []),
  branch: (p) =>
    (p.cases as Array<{ op: string; value: string }>).flatMap((c, i) =>
      c.op === "regex" ? [{ path: ["cases", String(i), "value"], pattern: c.value }] : [],
    ),
};

function checkNode(ctx: ValidationContext, info: NodeInfo): void {
  const list = info.params && info.spec ? PATTERNS[info.node.kind]?.(info.params) : undefined;
  for (const { path, pattern } of list ?? []) {
    const reason = checkPortableRegex(pattern);
    if (!reason) continue;
    ctx.out.push({
      code: C.NON_PORTABLE_REGEX,
      severity: "error",
      message: `${nodeName(info)}: the pattern ${quote(pattern)} in ${paramWords(info.spec!.params, path)} cannot be used: ${reason}.`,
      nodeId: info.node.id,
      param: path.join("."),
    });
  }
}

export function checkRegexes(ctx: ValidationContext): void {
  for (const info of ctx.infos) checkNode(ctx, info);
}
