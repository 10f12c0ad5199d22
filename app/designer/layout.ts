// Auto layout with elkjs: layered, top-down. Every outcome handle is an ELK port fixed where
// the node draws it (the catalog's outcome order, left to right), so ELK minimises crossings
// without ever swapping a node's branches; edges are routed orthogonally around the nodes and
// their bend points are drawn by RoutedEdge.
import type { ElkExtendedEdge, ElkNode, ElkPort } from "elkjs/lib/elk-api";
import { outcomesOf, specOf } from "../../flow/catalog";
import type { IvrEdge, IvrNode } from "./types";

const DEFAULT_W = 200;
const DEFAULT_H = 90;

export interface Point {
  x: number;
  y: number;
}

/** Where a node's handles are, relative to the node's top-left corner (the edge's end points). */
export interface NodeAnchors {
  /** One per outcome key. */
  sources: Record<string, Point>;
  target?: Point;
}

export interface LayoutResult {
  positions: Record<string, Point>;
  /** Per edge id: start point, bend points, end point (flow coordinates). */
  routes: Record<string, Point[]>;
}

/** ELK's padding: a laid-out flow's top layer stands at this y (see looksLaidOut). */
export const LAYOUT_PADDING = 12;

export const LAYOUT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "DOWN",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.layered.spacing.nodeNodeBetweenLayers": "60",
  "elk.spacing.nodeNode": "40",
  "elk.spacing.edgeNode": "24",
  "elk.spacing.edgeEdge": "12",
  "elk.layered.spacing.edgeNodeBetweenLayers": "24",
  "elk.layered.spacing.edgeEdgeBetweenLayers": "12",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.cycleBreaking.strategy": "DEPTH_FIRST",
  // Ties in crossing minimisation follow the model order: nodes in call order, edges in
  // outcome order (see orderedNodes).
  "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "elk.layered.crossingMinimization.greedySwitch.type": "TWO_SIDED",
  "elk.padding": `[top=${LAYOUT_PADDING},left=${LAYOUT_PADDING},bottom=${LAYOUT_PADDING},right=${LAYOUT_PADDING}]`,
};

const sizeOf = (n: IvrNode) => ({
  width: n.measured?.width ?? n.width ?? DEFAULT_W,
  height: n.measured?.height ?? n.height ?? DEFAULT_H,
});

/** Where FlowNodeView draws its handles when nothing was measured: outcomes evenly along the bottom. */
export function defaultAnchors(n: IvrNode): NodeAnchors {
  const { width, height } = sizeOf(n);
  const outcomes = outcomesOf(n.data.kind, n.data.params);
  const sources: Record<string, Point> = {};
  outcomes.forEach((o, i) => (sources[o.key] = { x: ((i + 0.5) / outcomes.length) * width, y: height }));
  return { sources, target: specOf(n.data.kind)?.entry ? undefined : { x: width / 2, y: 0 } };
}

/** React Flow's measured handle boxes (relative to the node), as in internals.handleBounds. */
export interface HandleBoxes {
  source?: ReadonlyArray<{ id?: string | null; x: number; y: number; width: number; height: number }> | null;
  target?: ReadonlyArray<{ x: number; y: number; width: number; height: number }> | null;
}

/**
 * The anchors React Flow draws edges from: bottom centre of a source handle, top centre of the
 * target. React Flow measures handles on screen and divides by the zoom, so the same handle
 * comes out a hair different at another zoom: snapped to half pixels, the layout of a flow is
 * the same whatever the zoom it was made at (which lets Canvas find the routes again on load).
 */
export function anchorsFromHandles(n: IvrNode, hb: HandleBoxes | undefined): NodeAnchors {
  if (!hb) return defaultAnchors(n);
  const t = hb.target?.[0];
  const at = (x: number, y: number): Point => ({ x: half(x), y: half(y) });
  return {
    sources: Object.fromEntries((hb.source ?? []).map((h) => [h.id ?? "", at(h.x + h.width / 2, h.y + h.height)])),
    target: t ? at(t.x + t.width / 2, t.y) : undefined,
  };
}

const half = (v: number) => Math.round(v * 2) / 2;

/** Cheap test before re-running ELK on load: only a flow whose top node is at the padding can be ELK's output. */
export const looksLaidOut = (nodes: readonly IvrNode[]) =>
  nodes.length > 0 && Math.min(...nodes.map((n) => n.position.y)) === LAYOUT_PADDING;

/** Nodes in call order (depth first from the entry, outcomes in order), then the unreachable ones. */
function orderedNodes(nodes: readonly IvrNode[], edges: readonly IvrEdge[]): IvrNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, IvrEdge[]>();
  for (const e of edges) out.set(e.source, [...(out.get(e.source) ?? []), e]);
  const seen = new Set<string>();
  const order: IvrNode[] = [];
  const visit = (id: string) => {
    const n = byId.get(id);
    if (!n || seen.has(id)) return;
    seen.add(id);
    order.push(n);
    const keys = outcomesOf(n.data.kind, n.data.params).map((o) => o.key);
    const rank = (e: IvrEdge) => {
      const i = keys.indexOf(e.sourceHandle ?? "");
      return i < 0 ? keys.length : i;
    };
    for (const e of [...(out.get(id) ?? [])].sort((a, b) => rank(a) - rank(b))) visit(e.target);
  };
  // Iterative enough: flows are at most a few thousand nodes deep in the worst case.
  for (const n of nodes) if (specOf(n.data.kind)?.entry) visit(n.id);
  for (const n of nodes) visit(n.id);
  return order;
}

const portId = (node: string, key: string) => `${node}\u0000out\u0000${key}`;
const targetPortId = (node: string) => `${node}\u0000in`;

/** The ELK graph for a flow (exported for tests). */
export function elkGraph(
  nodes: readonly IvrNode[],
  edges: readonly IvrEdge[],
  anchorsOf: (n: IvrNode) => NodeAnchors = defaultAnchors,
): ElkNode {
  const ordered = orderedNodes(nodes, edges);
  const anchors = new Map(ordered.map((n) => [n.id, anchorsOf(n)]));
  const children: ElkNode[] = ordered.map((n) => {
    const a = anchors.get(n.id)!;
    const keys = outcomesOf(n.data.kind, n.data.params).map((o) => o.key);
    const ports: ElkPort[] = keys
      .filter((k) => a.sources[k])
      .map((k) => ({
        id: portId(n.id, k),
        x: a.sources[k].x,
        y: a.sources[k].y,
        width: 0,
        height: 0,
        layoutOptions: { "elk.port.side": "SOUTH" },
      }));
    if (a.target) {
      ports.push({ id: targetPortId(n.id), x: a.target.x, y: a.target.y, width: 0, height: 0, layoutOptions: { "elk.port.side": "NORTH" } });
    }
    return {
      id: n.id,
      ...sizeOf(n),
      ports,
      // The handles are drawn where they are: ELK must keep both their order and their place.
      layoutOptions: { "elk.portConstraints": "FIXED_POS" },
    };
  });
  const ids = new Set(nodes.map((n) => n.id));
  const elkEdges: ElkExtendedEdge[] = [];
  // Edges in the order of their source's outcomes (model order for ELK's tie-breaking).
  for (const n of ordered) {
    const a = anchors.get(n.id)!;
    const keys = outcomesOf(n.data.kind, n.data.params).map((o) => o.key);
    const mine = edges.filter((e) => e.source === n.id && ids.has(e.target));
    mine.sort((x, y) => keys.indexOf(x.sourceHandle ?? "") - keys.indexOf(y.sourceHandle ?? ""));
    for (const e of mine) {
      const handle = e.sourceHandle ?? "";
      const target = anchors.get(e.target)!;
      elkEdges.push({
        id: e.id,
        sources: [a.sources[handle] ? portId(n.id, handle) : n.id],
        targets: [target.target ? targetPortId(e.target) : e.target],
      });
    }
  }
  return { id: "root", layoutOptions: LAYOUT_OPTIONS, children, edges: elkEdges };
}

/** Positions for every node and an orthogonal route for every edge. */
export async function layoutFlow(
  nodes: readonly IvrNode[],
  edges: readonly IvrEdge[],
  anchorsOf: (n: IvrNode) => NodeAnchors = defaultAnchors,
): Promise<LayoutResult> {
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  const anchors = new Map(nodes.map((n) => [n.id, anchorsOf(n)]));
  const result = await new ELK().layout(elkGraph(nodes, edges, (n) => anchors.get(n.id)!));
  const positions: Record<string, Point> = {};
  for (const c of result.children ?? []) positions[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  const byId = new Map(edges.map((e) => [e.id, e]));
  const routes: Record<string, Point[]> = {};
  for (const r of result.edges ?? []) {
    const e = byId.get(r.id);
    const s = r.sections?.[0];
    if (!e || !s || r.sections!.length !== 1) continue;
    const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: p.x, y: p.y }));
    // ELK puts the ends on the node borders (and positions are rounded): move them onto the
    // handles, dragging the neighbouring bend along its run so every run stays axis-parallel.
    const from = anchors.get(e.source)!.sources[e.sourceHandle ?? ""];
    const to = anchors.get(e.target)!.target;
    if (from) moveEnd(pts, 0, 1, add(positions[e.source], from));
    if (to) moveEnd(pts, pts.length - 1, -1, add(positions[e.target], to));
    routes[r.id] = pts;
  }
  return { positions, routes };
}

/** What React Flow measured of a node (`rf.getInternalNode`): its size and its handles. */
export type MeasureNode = (id: string) =>
  | { measured?: { width?: number; height?: number }; internals: { handleBounds?: HandleBoxes } }
  | undefined;

/**
 * layoutFlow on what React Flow measured, never on the store's copy (which may not have the
 * sizes yet): the same flow then gives the same layout on every load, so the routes can be
 * found again.
 */
export function layoutMeasured(nodes: readonly IvrNode[], edges: readonly IvrEdge[], measure: MeasureNode): Promise<LayoutResult> {
  const sized = nodes.map((n) => {
    const m = measure(n.id)?.measured;
    return m?.width && m.height ? { ...n, measured: { width: m.width, height: m.height } } : n;
  });
  return layoutFlow(sized, edges, (n) => anchorsFromHandles(n, measure(n.id)?.internals.handleBounds));
}

const add = (a: Point, b: Point): Point => ({ x: a.x + b.x, y: a.y + b.y });

function moveEnd(p: Point[], end: number, step: 1 | -1, to: Point) {
  const old = p[end];
  const next = end + step;
  if (next >= 0 && next < p.length) {
    if (Math.abs(p[next].x - old.x) < 0.01) p[next] = { ...p[next], x: to.x };
    else if (Math.abs(p[next].y - old.y) < 0.01) p[next] = { ...p[next], y: to.y };
  }
  p[end] = { ...to };
}
