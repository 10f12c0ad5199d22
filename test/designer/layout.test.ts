// Auto layout on every example: each node's branches stay in outcome order, and no drawn
// edge runs across a node box (the e2e checks the same on the real, measured canvas).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../flow/graph";
import { outcomesOf } from "../../flow/catalog";
import { defaultAnchors, layoutFlow } from "../../app/designer/layout";
import { branchOrderProblems, edgeCrossings } from "../support/layout-check";
import { toCanvasEdge, toCanvasNode } from "../../app/designer/convert";

const EXAMPLES = path.resolve(__dirname, "../../examples");

describe("auto layout", () => {
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".json"))) {
    it(`keeps branch order and routes around nodes: ${file}`, async () => {
      const g = loadFlow(JSON.parse(readFileSync(path.join(EXAMPLES, file), "utf8")));
      // Sizes as FlowNodeView draws them, roughly: width from the outcome count.
      const nodes = g.nodes.map((n) => {
        const c = toCanvasNode(n);
        const outs = outcomesOf(n.kind, n.params).length;
        return { ...c, measured: { width: Math.min(420, Math.max(180, outs * 64)), height: outs ? 86 : 62 } };
      });
      const edges = g.edges.map(toCanvasEdge);
      const { positions, routes } = await layoutFlow(nodes, edges);
      const boxes = nodes.map((n) => ({ id: n.id, x: positions[n.id].x, y: positions[n.id].y, ...n.measured }));
      expect(Object.keys(routes).length).toBe(edges.length);
      // Every route starts on its outcome's handle and ends on the target's handle.
      const byId = new Map(nodes.map((n) => [n.id, n]));
      for (const e of edges) {
        const r = routes[e.id];
        const from = defaultAnchors(byId.get(e.source)!).sources[e.sourceHandle!];
        const to = defaultAnchors(byId.get(e.target)!).target!;
        expect(r[0]).toEqual({ x: positions[e.source].x + from.x, y: positions[e.source].y + from.y });
        expect(r.at(-1)).toEqual({ x: positions[e.target].x + to.x, y: positions[e.target].y + to.y });
        // Orthogonal: every run is horizontal or vertical.
        for (let i = 1; i < r.length; i++) expect(r[i].x === r[i - 1].x || r[i].y === r[i - 1].y).toBe(true);
      }
      expect(edgeCrossings(boxes, edges.map((e) => ({ id: e.id, source: e.source, target: e.target, points: routes[e.id] })))).toEqual([]);
      expect(branchOrderProblems(nodes.map((n) => ({ id: n.id, kind: n.data.kind, params: n.data.params })), boxes, edges)).toEqual([]);
    });
  }
});
