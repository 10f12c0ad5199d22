// The admin's HTTP host allow-list, one rule for every place that checks it: the validator
// (IVR1019), the runtime's curl API and the guarded fetch of TS scripts.

/** Whether `host` is on the list: exact entries, or "*.example.com" for any subdomain. */
export function hostAllowed(host: string, allowList: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return allowList.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e.startsWith("*.")) return h.endsWith(e.slice(1)) && h.length > e.length - 1;
    return h === e;
  });
}
