// FlowGraph <-> React Flow nodes/edges. The FlowGraph is the saved document; the canvas
// keeps React Flow's shape so drags and selection need no conversion on every frame.
import type { FlowEdge, FlowGraph, FlowNode, FlowSettings } from "../../flow/graph";
import { SCHEMA_VERSION } from "../../flow/graph";
import { isNodeKind } from "../../flow/catalog";
import type { IvrEdge, IvrNode } from "./types";

/** React Flow node type of a kind: the kind itself, or a fallback for unknown kinds. */
export const UNKNOWN_KIND_TYPE = "__unknown_kind";
export const nodeTypeOf = (kind: string) => (isNodeKind(kind) ? kind : UNKNOWN_KIND_TYPE);

export const edgeId = (source: string, outcome: string) => `e:${source}:${outcome}`;

export function toCanvasNode(n: FlowNode): IvrNode {
  return {
    id: n.id,
    type: nodeTypeOf(n.kind),
    position: { x: n.position.x, y: n.position.y },
    data: { kind: n.kind, label: n.label, params: n.params },
  };
}

export function toCanvasEdge(e: FlowEdge): IvrEdge {
  return {
    id: e.id || edgeId(e.source, e.outcome),
    source: e.source,
    sourceHandle: e.outcome,
    target: e.target,
  };
}

export interface FlowDocumentParts {
  name: string;
  description: string;
  settings: FlowSettings;
  nodes: readonly IvrNode[];
  edges: readonly IvrEdge[];
}

export function toFlowGraph(p: FlowDocumentParts): FlowGraph {
  return {
    schemaVersion: SCHEMA_VERSION,
    name: p.name,
    description: p.description,
    settings: p.settings,
    nodes: p.nodes.map((n) => ({
      id: n.id,
      kind: n.data.kind,
      label: n.data.label,
      params: n.data.params,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })),
    edges: p.edges.map((e) => ({ id: e.id, source: e.source, outcome: e.sourceHandle ?? "next", target: e.target })),
  };
}

/** A node id not used yet: kind_1, kind_2, ... (readable in generated code and logs). */
export function freshNodeId(kind: string, taken: ReadonlySet<string>): string {
  const base = kind.replace(/[^A-Za-z0-9_]/g, "_") || "node";
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}
