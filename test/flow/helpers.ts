// Small builders for validation tests: a flow around one node, with every exit wired to a hangup.
import { loadFlow, outcomesOf, type FlowGraph } from "../../flow";
import type { Diagnostic } from "../../flow/diagnostics";

export interface NodeIn {
  id: string;
  kind: string;
  label?: string;
  params?: Record<string, unknown>;
}

export type EdgeIn = [source: string, outcome: string, target: string];

export function flowOf(nodes: NodeIn[], edges: EdgeIn[], extra: Record<string, unknown> = {}): FlowGraph {
  return loadFlow({
    schemaVersion: 1,
    name: "test",
    ...extra,
    nodes: nodes.map((n) => ({ ...n, params: n.params ?? {} })),
    edges: edges.map(([source, outcome, target]) => ({ source, outcome, target })),
  });
}

/** Start → node, and every exit of the node → a Hangup: the only findings are about the node itself. */
export function around(node: NodeIn): FlowGraph {
  const keys = [...new Set(outcomesOf(node.kind, node.params ?? {}).map((o) => o.key))];
  const exits = keys.map((key): EdgeIn => [node.id, key, "end"]);
  // No exits (hangup, transfer, params that do not parse): no Hangup, which would be unreachable.
  const end: NodeIn[] = exits.length ? [{ id: "end", kind: "hangup" }] : [];
  return flowOf([{ id: "start", kind: "start" }, node, ...end], [["start", "next", node.id], ...exits]);
}

/** Diagnostics reduced to what tests compare (message checked separately). */
export const brief = (ds: Diagnostic[]) =>
  ds.map(({ code, severity, nodeId, param, outcome }) => ({ code, severity, nodeId, param, outcome }));
