// Geometry checks on a laid-out flow, shared by the layout unit test and the canvas e2e.
import { outcomesOf } from "../../flow/catalog";

export interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface DrawnEdge {
  id: string;
  source: string;
  target: string;
  points: Point[];
}

/** Does the segment a-b pass through the inside of the box (shrunk by `inset`)? Liang-Barsky clipping. */
export function segmentHitsBox(a: Point, b: Point, box: Box, inset = 2): boolean {
  const x0 = box.x + inset, x1 = box.x + box.width - inset, y0 = box.y + inset, y1 = box.y + box.height - inset;
  if (x1 <= x0 || y1 <= y0) return false;
  let t0 = 0, t1 = 1;
  const dx = b.x - a.x, dy = b.y - a.y;
  for (const [p, q] of [[-dx, a.x - x0], [dx, x1 - a.x], [-dy, a.y - y0], [dy, y1 - a.y]] as const) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

/** "edge id crosses node id" for every segment that runs through a node box. */
export function edgeCrossings(boxes: readonly Box[], edges: readonly DrawnEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const last = e.points.length - 2;
    for (let i = 0; i <= last; i++) {
      for (const box of boxes) {
        // The first run leaves its source and the last run enters its target: those touch by design.
        if ((i === 0 && box.id === e.source) || (i === last && box.id === e.target)) continue;
        if (segmentHitsBox(e.points[i], e.points[i + 1], box)) out.push(`${e.id} crosses ${box.id}`);
      }
    }
  }
  return out;
}

/**
 * For every node with several outcomes: its own targets below it (forward branches, reached
 * from this node only: a node shared by several sources stands where it serves them all),
 * taken in outcome order ("1", "2", ..., "Failed"), must stand left to right.
 */
export function branchOrderProblems(
  nodes: ReadonlyArray<{ id: string; kind: string; params: unknown }>,
  boxes: readonly Box[],
  edges: ReadonlyArray<{ source: string; sourceHandle?: string | null; target: string }>,
): string[] {
  const box = new Map(boxes.map((b) => [b.id, b]));
  const out: string[] = [];
  for (const n of nodes) {
    const keys = outcomesOf(n.kind, n.params).map((o) => o.key);
    if (keys.length < 2) continue;
    const me = box.get(n.id)!;
    const seen = new Set<string>();
    const row: Array<{ key: string; target: string; cx: number }> = [];
    for (const key of keys) {
      const e = edges.find((x) => x.source === n.id && x.sourceHandle === key);
      const t = e && box.get(e.target);
      if (!e || !t || seen.has(e.target) || t.y <= me.y + me.height) continue;
      if (edges.some((x) => x.target === e.target && x.source !== n.id)) continue;
      seen.add(e.target);
      row.push({ key, target: e.target, cx: t.x + t.width / 2 });
    }
    for (let i = 1; i < row.length; i++) {
      if (row[i].cx < row[i - 1].cx) out.push(`${n.id}: "${row[i - 1].key}" -> ${row[i - 1].target} is right of "${row[i].key}" -> ${row[i].target}`);
    }
  }
  return out;
}
