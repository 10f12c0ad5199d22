// HTTP from scripts reaches only the hosts on the admin's allow-list (no SSRF through flows).
// Lua goes through freeswitch.API curl (fs-api.ts checks the list); TS scripts' `fetch` is a
// message from their isolate to the TS host, which makes the request through this guard.
import { hostAllowed } from "../../flow/http-hosts";

export type GuardedFetch = (url: string, init?: RequestInit) => Promise<Response>;

/** A fetch limited to an allow-list (read at each request: it can change while the server runs). */
export function createGuardedFetch(allowList: readonly string[] | (() => readonly string[])): GuardedFetch {
  const current = typeof allowList === "function" ? allowList : () => allowList;
  return (input, init) => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return Promise.reject(new TypeError(`invalid URL: ${input}`));
    }
    if (!/^https?:$/.test(url.protocol)) return Promise.reject(new TypeError(`only http and https are allowed: ${url.protocol}`));
    if (!hostAllowed(url.hostname, current())) {
      return Promise.reject(new TypeError(`host ${url.hostname} is not on the HTTP allow-list`));
    }
    // A redirect could lead off the list: it comes back as a 3xx response instead.
    return fetch(url, { ...init, redirect: "manual" });
  };
}
