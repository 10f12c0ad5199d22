// Edges: IVR1017 (unknown ends), IVR1006 (outcome the source does not have), IVR1007
// (outcome connected twice), IVR1005 (outcome left unconnected). Also builds the list of
// edges the graph rules (reachability, cycles) follow.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import type { FlowEdge } from "../graph";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";

export interface GraphEdge {
  from: NodeInfo;
  to: NodeInfo;
}

const outcomeWords = (info: NodeInfo, key: string) => {
  const label = info.outcomes?.find((o) => o.key === key)?.label;
  return label && label !== key ? `"${label}" (${key})` : `"${key}"`;
};

/** Check every edge; returns the edges that lead somewhere, for the graph rules. */
export function checkEdges(ctx: ValidationContext): GraphEdge[] {
  const followed: GraphEdge[] = [];
  const connected = new Map<NodeInfo, Set<string>>();
  const edges: FlowEdge[] = Array.isArray(ctx.flow.edges) ? ctx.flow.edges : [];
  for (const edge of edges) {
    if (!edge || typeof edge !== "object") continue;
    const from = ctx.byId.get(edge.source);
    const to = ctx.byId.get(edge.target);
    const edgeName = edge.id ? `Connection "${edge.id}"` : "A connection";
    if (!from || !to) {
      const missing = !from ? `source node "${edge.source}"` : `target node "${edge.target}"`;
      ctx.out.push({
        code: C.UNKNOWN_TARGET,
        severity: "error",
        message: `${edgeName} (${quote(edge.source)} ${quote(edge.outcome)} → ${quote(edge.target)}) refers to a ${missing} that does not exist.`,
        nodeId: from ? from.node.id : to?.node.id,
        outcome: edge.outcome,
      });
      continue;
    }
    if (from.outcomes) {
      // Known outcomes: an unknown one is reported and not followed.
      if (!from.outcomes.some((o) => o.key === edge.outcome)) {
        const have = from.outcomes.map((o) => o.key);
        ctx.out.push({
          code: C.UNKNOWN_OUTCOME,
          severity: "error",
          message:
            `${nodeName(from)} has no exit ${quote(edge.outcome)} for its connection to ${nodeName(to)}` +
            (have.length ? `; its exits are ${have.join(", ")}.` : "; it has no exits (the call ends there)."),
          nodeId: from.node.id,
          outcome: edge.outcome,
        });
        continue;
      }
      let keys = connected.get(from);
      if (!keys) connected.set(from, (keys = new Set()));
      if (keys.has(edge.outcome)) {
        ctx.out.push({
          code: C.OUTCOME_CONNECTED_TWICE,
          severity: "error",
          message: `${nodeName(from)}: the exit ${outcomeWords(from, edge.outcome)} is connected more than once; keep one connection.`,
          nodeId: from.node.id,
          outcome: edge.outcome,
        });
        continue;
      }
      keys.add(edge.outcome);
    }
    // Unknown kind or bad params: outcomes unknown, follow the edge anyway (no false "unreachable").
    followed.push({ from, to });
  }
  checkUnconnected(ctx, connected);
  return followed;
}

function checkUnconnected(ctx: ValidationContext, connected: Map<NodeInfo, Set<string>>): void {
  for (const info of ctx.infos) {
    if (!info.outcomes || ctx.byId.get(info.node.id) !== info) continue;
    const keys = connected.get(info);
    const reported = new Set<string>(); // duplicate choice keys give one outcome, reported once
    for (const o of info.outcomes) {
      if (keys?.has(o.key) || reported.has(o.key)) continue;
      reported.add(o.key);
      const isEntry = info.spec?.entry === true;
      ctx.out.push({
        code: C.OUTCOME_NOT_CONNECTED,
        severity: isEntry ? "error" : "warning",
        message: isEntry
          ? `${nodeName(info)} is not connected to anything; connect its ${outcomeWords(info, o.key)} exit to the first step.`
          : `${nodeName(info)}: the exit ${outcomeWords(info, o.key)} is not connected; the call hangs up there.`,
        nodeId: info.node.id,
        outcome: o.key,
      });
    }
  }
}
