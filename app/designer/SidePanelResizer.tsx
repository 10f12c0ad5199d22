"use client";
// The inspector's left edge: drag (or arrow keys) to resize; the width is remembered per user
// in this browser.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";

export const SIDE_MIN = 280;
export const SIDE_DEFAULT = 380;
/** The canvas keeps at least this much room next to the palette. */
const CANVAS_MIN = 320;
const PALETTE = 240;
const KEY_STEP = 24;

export const sideWidthKey = (userId: string) => `ivr-studio:side-panel-width:${userId}`;

function maxWidth(): number {
  return typeof window === "undefined" ? 1200 : Math.max(SIDE_MIN, window.innerWidth - PALETTE - CANVAS_MIN);
}
const clampWidth = (w: number) => Math.round(Math.min(maxWidth(), Math.max(SIDE_MIN, w)));

/** The panel width, from localStorage once mounted (the server render uses the default). */
export function useSidePanelWidth(userId: string): [number, (w: number) => void] {
  const [width, setWidth] = useState(SIDE_DEFAULT);
  useEffect(() => {
    let saved = NaN;
    try {
      saved = Number(window.localStorage.getItem(sideWidthKey(userId)));
    } catch {
      /* storage disabled: the default */
    }
    if (Number.isFinite(saved) && saved > 0) setWidth(clampWidth(saved));
  }, [userId]);
  const set = useCallback(
    (w: number) => {
      const v = clampWidth(w);
      setWidth(v);
      try {
        window.localStorage.setItem(sideWidthKey(userId), String(v));
      } catch {
        /* not remembered, still applied */
      }
    },
    [userId],
  );
  // A narrower window squeezes the panel (not the remembered width) so the canvas keeps room.
  const [limit, setLimit] = useState(maxWidth);
  useEffect(() => {
    const onResize = () => setLimit(maxWidth());
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, []);
  return [Math.max(SIDE_MIN, Math.min(width, limit)), set];
}

export function SidePanelResizer({ width, onWidth }: { width: number; onWidth: (w: number) => void }) {
  const drag = useRef<{ x: number; width: number } | null>(null);
  const [dragging, setDragging] = useState(false);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, width };
    setDragging(true);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    // The panel is on the right: dragging its edge to the left widens it.
    if (drag.current) onWidth(drag.current.width + drag.current.x - e.clientX);
  };
  const end = () => {
    drag.current = null;
    setDragging(false);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "ArrowLeft") onWidth(width + KEY_STEP);
    else if (e.key === "ArrowRight") onWidth(width - KEY_STEP);
    else if (e.key === "Home") onWidth(SIDE_MIN);
    else if (e.key === "End") onWidth(maxWidth());
    else return;
    e.preventDefault();
  };

  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the inspector"
      aria-valuenow={width}
      aria-valuemin={SIDE_MIN}
      aria-valuemax={maxWidth()}
      tabIndex={0}
      className={`side-resize${dragging ? " dragging" : ""}`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={end}
      onPointerCancel={end}
      onKeyDown={onKeyDown}
      onDoubleClick={() => onWidth(SIDE_DEFAULT)}
    />
  );
}
