"use client";
// The server's gateways and SIP users (names only, GET /api/outbound), loaded once per page: the
// Bridge form offers them, and the designer's validation warns about a name that is not there.
import { useSyncExternalStore } from "react";
import { api } from "../../lib/client/api";

export interface DialChoices {
  gateways: string[];
  users: string[];
}

let choices: DialChoices | undefined;
let loading = false;
const listeners = new Set<() => void>();

function load(): void {
  if (loading || choices) return;
  loading = true;
  api<DialChoices>("GET", "/api/outbound")
    .then((r) => {
      choices = { gateways: r.gateways, users: r.users };
      for (const l of listeners) l();
    })
    // Unknown (offline, signed out): nothing is offered and nothing is checked.
    .catch(() => undefined)
    .finally(() => (loading = false));
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  load();
  return () => listeners.delete(listener);
}

/** undefined until loaded (or when it could not be). */
export const useDialChoices = (): DialChoices | undefined => useSyncExternalStore(subscribe, () => choices, () => undefined);

/** The dial strings to offer: user/N for each user, sofia/gateway/NAME/ for each gateway (the number is typed after it). */
export const dialSuggestions = (c: DialChoices | undefined): string[] => [
  ...(c?.users ?? []).map((u) => `user/${u}`),
  ...(c?.gateways ?? []).map((g) => `sofia/gateway/${g}/`),
];
