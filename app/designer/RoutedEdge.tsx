"use client";
// The canvas's edge: after an auto layout, ELK's orthogonal route around the nodes (see
// layout.ts); once either end has moved away from where the route was made, a plain curve.
import { BaseEdge, getBezierPath, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import { useDesigner } from "./context";
import type { Point } from "./layout";

/** How far (px) an end may be from the route's end and the route still be drawn. */
const ROUTE_TOLERANCE = 2;

/** The route as an SVG path that starts and ends exactly on the handles. */
export function routePath(route: readonly Point[], from: Point, to: Point): string | null {
  if (route.length < 2) return null;
  const a = route[0];
  const b = route[route.length - 1];
  const off = (p: Point, q: Point) => Math.abs(p.x - q.x) > ROUTE_TOLERANCE || Math.abs(p.y - q.y) > ROUTE_TOLERANCE;
  if (off(a, from) || off(b, to)) return null;
  const pts = route.map((p) => ({ ...p }));
  // Sub-pixel differences: move the end runs with the ends so they stay straight.
  const fix = (i: number, j: number, end: Point) => {
    const old = pts[i];
    if (j >= 0 && j < pts.length && j !== i) {
      if (Math.abs(pts[j].x - old.x) < 0.01) pts[j].x = end.x;
      else if (Math.abs(pts[j].y - old.y) < 0.01) pts[j].y = end.y;
    }
    pts[i] = { ...end };
  };
  fix(0, 1, from);
  fix(pts.length - 1, pts.length - 2, to);
  return pts.map((p, i) => `${i ? "L" : "M"}${round(p.x)} ${round(p.y)}`).join(" ");
}

const round = (v: number) => Math.round(v * 10) / 10;

function RoutedEdgeImpl(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style, interactionWidth } = props;
  const route = useDesigner((s) => s.routes[id]);
  const routed = route ? routePath(route, { x: sourceX, y: sourceY }, { x: targetX, y: targetY }) : null;
  const path = routed ?? getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition })[0];
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} className={routed ? "routed" : undefined} />;
}

export const RoutedEdge = memo(RoutedEdgeImpl);
export const ROUTED_EDGE_TYPE = "routed";
