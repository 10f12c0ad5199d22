// HTTP from scripts reaches only the hosts on the admin's allow-list (no SSRF through flows).
// Lua goes through freeswitch.API curl (fs-api.ts checks the list); TS scripts' `fetch` is
// rebound at compile time to a guarded fetch registered here, one per server.
import { hostAllowed } from "../../flow/http-hosts";

let nextId = 1;

/** Register a guarded fetch for an allow-list; returns the global name compiled scripts call. */
export function registerGuardedFetch(allowList: readonly string[] | (() => readonly string[])): string {
  const name = `__ivrStudioFetch${nextId++}`;
  const current = typeof allowList === "function" ? allowList : () => allowList;
  const guarded = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url: URL;
    try {
      url = new URL(input instanceof Request ? input.url : String(input));
    } catch {
      return Promise.reject(new TypeError(`invalid URL: ${String(input)}`));
    }
    if (!/^https?:$/.test(url.protocol)) return Promise.reject(new TypeError(`only http and https are allowed: ${url.protocol}`));
    if (!hostAllowed(url.hostname, current())) {
      return Promise.reject(new TypeError(`host ${url.hostname} is not on the HTTP allow-list`));
    }
    // A redirect could lead off the list: it comes back as a 3xx response instead.
    return fetch(input, { ...init, redirect: "manual" });
  };
  (globalThis as Record<string, unknown>)[name] = guarded;
  return name;
}

export function unregisterGuardedFetch(name: string): void {
  delete (globalThis as Record<string, unknown>)[name];
}
