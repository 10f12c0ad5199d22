"use client";
// A prompt's waveform: peak levels from the server drawn as mirrored bars on a canvas.
import { useEffect, useRef, useState } from "react";
import { promptPeaks } from "../../lib/client/prompts";

export function Waveform({ name, version, width = 240, height = 36 }: { name: string; version: string; width?: number; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [peaks, setPeaks] = useState<number[] | null>(null);
  useEffect(() => {
    let live = true;
    promptPeaks(name, width / 2)
      .then((p) => live && setPeaks(p))
      .catch(() => live && setPeaks([]));
    return () => {
      live = false;
    };
  }, [name, version, width]);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx || !peaks) return;
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.fillStyle = getComputedStyle(c).color || "#3b6fd8";
    const bar = c.width / Math.max(1, peaks.length);
    peaks.forEach((p, i) => {
      const h = Math.max(1, p * c.height);
      ctx.fillRect(i * bar, (c.height - h) / 2, Math.max(1, bar - 0.5), h);
    });
  }, [peaks]);
  return (
    <canvas
      ref={canvas}
      className="waveform"
      width={width}
      height={height}
      role="img"
      aria-label={`Waveform of ${name}`}
      data-peaks={peaks ? peaks.length : 0}
    />
  );
}
