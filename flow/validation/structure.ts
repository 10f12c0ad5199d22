// IVR1014 (duplicate node ids), IVR1003/IVR1004 (exactly one Start).
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { nodeName, type ValidationContext } from "./context";

export function checkNodeIds(ctx: ValidationContext): void {
  const seen = new Set<string>();
  for (const info of ctx.infos) {
    if (!seen.has(info.node.id)) {
      seen.add(info.node.id);
      continue;
    }
    ctx.out.push({
      code: C.DUPLICATE_NODE_ID,
      severity: "error",
      message: `${nodeName(info)} reuses the id "${info.node.id}" of another node; every node needs its own id.`,
      nodeId: info.node.id,
    });
  }
}

export function checkStart(ctx: ValidationContext): void {
  const starts = ctx.infos.filter((i) => i.spec?.entry);
  if (starts.length === 0) {
    ctx.out.push({
      code: C.NO_START,
      severity: "error",
      message: "The flow has no Start node, so a call has nowhere to enter; add one.",
    });
    return;
  }
  for (const extra of starts.slice(1)) {
    ctx.out.push({
      code: C.MANY_STARTS,
      severity: "error",
      message: `${nodeName(extra)} is a second Start node; a flow has exactly one (the first is ${nodeName(starts[0])}).`,
      nodeId: extra.node.id,
    });
  }
}
