"use client";
// Calls in progress, kept current by the server's events (GET /api/calls/live/events): the Calls
// page's live list and the designer's live overlay. EventSource reconnects by itself after a
// network error; a refused stream (401, 503: no runtime here) closes it, and `error` says so.
import { useEffect, useState } from "react";
import type { LiveCallView } from "../lib/server/runtime/live";

export type { LiveCallView };

export interface LiveCalls {
  /** null until the first list arrives. */
  calls: LiveCallView[] | null;
  error: string | null;
}

export function useLiveCalls(enabled: boolean, flowId?: string): LiveCalls {
  const [state, setState] = useState<LiveCalls>({ calls: null, error: null });
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(`/api/calls/live/events${flowId ? `?flowId=${encodeURIComponent(flowId)}` : ""}`);
    source.addEventListener("calls", (e) => setState({ calls: JSON.parse((e as MessageEvent<string>).data) as LiveCallView[], error: null }));
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setState((s) => ({ ...s, error: "The live view is not available: the SIP runtime is not running in this server." }));
      else setState((s) => ({ ...s, error: "Reconnecting to the live view…" }));
    };
    return () => source.close();
  }, [enabled, flowId]);
  return state;
}

/** Ticks every second while mounted: "in this node for 12 s" stays current between events. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
