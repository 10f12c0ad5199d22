// IVR1032 (warning): a Phrase node plays a macro the phrase library does not define in the
// call's language (the node's, else the flow's, else en; en-US falls back to en). On the
// runtime the call would hear nothing (sayPhrase logs "Can't find macro"); a FreeSWITCH server
// may still have it in its own phrase files. Names or languages with ${variables} are not checked.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { phraseRefs } from "../phrases";
import { nodeName, quote, type ValidationContext } from "./context";

export function checkKnownPhrases(ctx: ValidationContext): void {
  const known = ctx.options.knownPhrase;
  if (!known) return;
  for (const ref of phraseRefs(ctx.flow)) {
    if (ref.name === "*" || ref.language === "*" || known(ref.name, ref.language)) continue;
    const info = ctx.byId.get(ref.nodeId);
    if (!info) continue;
    ctx.out.push({
      code: C.UNKNOWN_PHRASE,
      severity: "warning",
      message: `${nodeName(info)}: the phrase ${quote(ref.name, 80)} is not in the phrase library for language ${quote(ref.language, 20)}; callers would hear nothing on this server (a FreeSWITCH server may have it in its own phrase files).`,
      nodeId: info.node.id,
      param: "name",
    });
  }
}
