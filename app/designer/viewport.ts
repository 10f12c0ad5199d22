"use client";
// Fit view: the whole flow when it can be shown readable, else the top of the flow (its
// Start) at the smallest readable zoom. Never past 120 %: a small flow should not fill the
// screen with giant nodes.
import { useReactFlow, useStoreApi } from "@xyflow/react";
import { useCallback } from "react";
import { specOf } from "../../flow/catalog";
import type { IvrNode } from "./types";

export const FIT_MAX_ZOOM = 1.2;
/**
 * Fit view never zooms out further: at this zoom the level-of-detail label (LOD_LABEL_PX in
 * designer.css, 24 px) is 12 px on screen. Flows bigger than the canvas at this zoom are
 * panned, not shrunk into unreadable specks.
 */
export const FIT_MIN_ZOOM = 0.5;
/** Below this zoom nodes show only their kind colour and a large label (level of detail). */
export const LOD_BELOW = 0.75;
/** Below this zoom (only reached by zooming out by hand) nodes show no text at all. */
export const NO_TEXT_BELOW = 0.3;
/** The mini map's size on the canvas (px). */
export const MINIMAP_SIZE = { width: 180, height: 120 };
/** Keep the fitted flow clear of the mini map in the bottom-right corner. */
const PAD = { top: 24, left: 24, bottom: 24, right: MINIMAP_SIZE.width + 24 };

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** The fit viewport of `nodes` (flow boxes) in a canvas of width × height (exported for tests). */
export function fitViewport(
  bounds: { x: number; y: number; width: number; height: number },
  entry: { x: number; y: number } | null,
  width: number,
  height: number,
): Viewport {
  const availW = Math.max(1, width - PAD.left - PAD.right);
  const availH = Math.max(1, height - PAD.top - PAD.bottom);
  const fit = Math.min(availW / Math.max(1, bounds.width), availH / Math.max(1, bounds.height));
  const zoom = Math.min(FIT_MAX_ZOOM, Math.max(FIT_MIN_ZOOM, fit));
  const w = bounds.width * zoom;
  const h = bounds.height * zoom;
  let x = PAD.left + (availW - w) / 2 - bounds.x * zoom;
  let y = PAD.top + (availH - h) / 2 - bounds.y * zoom;
  // Too tall: show the top (where calls start), not the middle.
  if (h > availH) y = PAD.top - bounds.y * zoom;
  // Too wide: centre the entry node, without showing empty space beside the flow.
  if (w > availW) {
    const cx = entry ? entry.x : bounds.x + bounds.width / 2;
    x = PAD.left + availW / 2 - cx * zoom;
    x = Math.min(PAD.left - bounds.x * zoom, Math.max(PAD.left + availW - (bounds.x + bounds.width) * zoom, x));
  }
  return { x, y, zoom };
}

/** Fit the flow into the canvas (`duration` ms of animation; 0: at once). */
export function useFitFlow(): (duration?: number) => void {
  const rf = useReactFlow<IvrNode>();
  const storeApi = useStoreApi<IvrNode>();
  return useCallback(
    (duration = 200) => {
      const { width, height } = storeApi.getState();
      const nodes = rf.getNodes();
      if (nodes.length === 0 || !width || !height) return;
      const bounds = rf.getNodesBounds(nodes);
      const entryNode = nodes.find((n) => specOf(n.data.kind)?.entry);
      const entry = entryNode
        ? { x: entryNode.position.x + (entryNode.measured?.width ?? 0) / 2, y: entryNode.position.y }
        : null;
      void rf.setViewport(fitViewport(bounds, entry, width, height), { duration });
    },
    [rf, storeApi],
  );
}
