// Auto-layout with elkjs: layered, top-down, edges from outcome order left to right.
import type { IvrEdge, IvrNode } from "./types";

const DEFAULT_W = 200;
const DEFAULT_H = 90;

export async function layoutPositions(
  nodes: readonly IvrNode[],
  edges: readonly IvrEdge[],
): Promise<Record<string, { x: number; y: number }>> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const elk = new ELK();
  const ids = new Set(nodes.map((n) => n.id));
  const result = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "70",
      "elk.spacing.nodeNode": "40",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.measured?.width ?? n.width ?? DEFAULT_W,
      height: n.measured?.height ?? n.height ?? DEFAULT_H,
    })),
    edges: edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out: Record<string, { x: number; y: number }> = {};
  for (const c of result.children ?? []) out[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return out;
}
