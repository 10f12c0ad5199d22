// Shared by the calls list and the call detail.
import { HANGUP_CAUSE_NAMES as CAUSES } from "../../flow/hangup-causes";

export const HANGUP_CAUSE_NAMES = [...CAUSES].sort();

/** "2026-12-07 10:00:03" in the viewer's zone (the browser's). */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
