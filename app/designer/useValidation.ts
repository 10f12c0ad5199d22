"use client";
// Runs validate() ~150 ms after the last logic change (moves do not count: positions
// never change diagnostics), and stores the result with per-node badge counts.
import { useEffect } from "react";
import { validate } from "../../flow/validate";
import type { Diagnostic } from "../../flow/diagnostics";
import { useDesignerStore } from "./context";
import { useDialChoices, type DialChoices } from "./form/dial-choices";

export const DERIVE_DEBOUNCE_MS = 150;

export function badgesOf(diagnostics: readonly Diagnostic[]): Record<string, string> {
  const counts: Record<string, [number, number]> = {};
  for (const d of diagnostics) {
    if (!d.nodeId) continue;
    const c = (counts[d.nodeId] ??= [0, 0]);
    c[d.severity === "error" ? 0 : 1]++;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, [e, w]]) => [id, `${e},${w}`]));
}

export function safeValidate(graph: Parameters<typeof validate>[0], authorIsAdmin: boolean, destinations?: DialChoices): Diagnostic[] {
  try {
    return validate(graph, { authorIsAdmin, destinations });
  } catch (e) {
    return [{ code: "IVR1000", severity: "error", message: `The validator failed: ${(e as Error).message}` }];
  }
}

export function useValidation(authorIsAdmin: boolean): void {
  const store = useDesignerStore();
  // The server's gateways and SIP users: Bridge dial strings naming others get a warning (IVR1031).
  const destinations = useDialChoices();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      const diagnostics = safeValidate(store.getState().graph(), authorIsAdmin, destinations);
      store.setState({ diagnostics, badges: badgesOf(diagnostics) });
    };
    run();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.logicVersion === prev.logicVersion) return;
      clearTimeout(timer);
      timer = setTimeout(run, DERIVE_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, authorIsAdmin, destinations]);
}
