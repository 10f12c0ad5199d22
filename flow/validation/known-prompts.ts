// IVR1030 (warning): a prompt file the server does not have: neither in its prompt library
// nor in its sounds folder. The call would hear nothing there (FreeSWITCH's streamFile fails).
// Tones, silence, say:/phrase: strings and ${variables} are not files and are not checked.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { collectPromptRefs } from "../prompts";
import { nodeName, quote, type ValidationContext } from "./context";

export function checkKnownPrompts(ctx: ValidationContext): void {
  const known = ctx.options.knownPrompt;
  if (!known) return;
  for (const info of ctx.infos) {
    if (!info.params) continue;
    // The node's own prompt files, by the same rules the bundle export uses.
    const refs = collectPromptRefs({ ...ctx.flow, nodes: [info.node], edges: [] });
    for (const ref of refs) {
      if (known(ref)) continue;
      const param = Object.entries(info.params).find(([, v]) => typeof v === "string" && v.includes(ref))?.[0];
      ctx.out.push({
        code: C.UNKNOWN_PROMPT,
        severity: "warning",
        message: `${nodeName(info)}: the prompt ${quote(ref, 80)} is neither in the prompt library nor in the sounds folder of this server; callers would hear nothing there.`,
        nodeId: info.node.id,
        ...(param ? { param } : {}),
      });
    }
  }
}
