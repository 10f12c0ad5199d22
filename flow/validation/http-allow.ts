// IVR1019: an HTTP request may only call hosts on the admin's allow-list, so the host
// must be fixed in the flow (a ${var} host could be steered by call data).
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { hostAllowed } from "../http-hosts";
import { nodeName, quote, type ValidationContext } from "./context";

const TEMPLATE_RE = /\$\{[^}]*\}/g;

/** The URL's host, or why it has none that can be checked. */
export function fixedHost(url: string): { host: string } | { problem: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(url.trim());
  if (!m) {
    return url.trim().startsWith("${")
      ? { problem: "the host must be fixed, not taken from a ${variable}" }
      : { problem: "it does not start with http:// or https://" };
  }
  if (!/^https?$/i.test(m[1])) return { problem: `its scheme ${m[1]}: is not http or https` };
  if (m[2].includes("${")) return { problem: "the host must be fixed, not taken from a ${variable}" };
  // URL parsers disagree on these (a backslash is a slash to browsers, not to curl).
  if (/[\\\s]/.test(m[2])) return { problem: "its host part contains a backslash or a space" };
  try {
    const parsed = new URL(url.trim().replace(TEMPLATE_RE, "x"));
    if (!parsed.hostname) return { problem: "it has no host" };
    return { host: parsed.hostname.replace(/^\[|\]$/g, "") };
  } catch {
    return { problem: "it is not a valid URL" };
  }
}

export function checkHttpHosts(ctx: ValidationContext): void {
  const allowList = ctx.options.httpAllowList;
  if (!allowList) return;
  for (const info of ctx.infos) {
    if (!info.params || !info.spec?.urls) continue;
    for (const { param, url } of info.spec.urls(info.params)) {
      if (url.trim() === "") continue; // reported as empty (IVR1020)
      const r = fixedHost(url);
      const message =
        "problem" in r
          ? `${nodeName(info)}: the URL ${quote(url, 60)} cannot be checked against the allowed hosts: ${r.problem}.`
          : hostAllowed(r.host, allowList)
            ? undefined
            : `${nodeName(info)}: the host ${r.host} is not on the allowed hosts list` +
              (allowList.length ? ` (${allowList.join(", ")})` : " (which is empty)") +
              "; ask an admin to add it.";
      if (!message) continue;
      ctx.out.push({ code: C.HOST_NOT_ALLOWED, severity: "error", message, nodeId: info.node.id, param });
    }
  }
}
