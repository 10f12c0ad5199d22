// freeswitch.API():execute(cmd, args) on the runtime: the documented subset. It covers
// every API the Lua generator emits (regex, strftime_tz, curl; see generators/lua/binding.ts)
// plus a few script staples. Anything else answers "-ERR <cmd> Command not found!" as
// FreeSWITCH does for an unknown command.
import { hostAllowed } from "../../flow/http-hosts";
import { realClock, strftime, type Clock } from "../clock";
import { expandVariables } from "../session/expand";
import { compileFsRegex, regexErrorLine, SafeRegexError } from "../safe-regex";
import { parseCurlArgs, separateBlankDelim, separateCharDelim } from "./fs-split";
import type { FsSession } from "../session/session";

export interface ApiContext {
  globals: Map<string, string>;
  /** Hosts curl may reach (exact, or "*.example.com"); empty = none. */
  httpAllowList: readonly string[];
  /** Live calls of this runtime by uuid, for uuid_* commands. */
  calls?: Map<string, FsSession>;
  /** "now" and the local zone of strftime (default the real clock). */
  clock?: Clock;
  /** Where errors go when no session is given (with a session: its call log). */
  log?: (level: string, message: string) => void;
}

export { strftime };

export const SUPPORTED_API_COMMANDS = [
  "regex", "strftime_tz", "strftime", "curl", "global_getvar", "global_setvar", "expand", "eval", "echo",
  "uuid_getvar", "uuid_setvar", "uuid_exists", "uuid_kill", "uuid_transfer", "uuid_send_dtmf", "md5",
] as const;

/**
 * mod_commands regex: "data|pattern[|subst]" or "m:<d>data<d>pattern[<d>subst]" (d one of | ~ /).
 * The pattern runs on RE2 (linear time, see runtime/safe-regex.ts); one it cannot run is logged
 * as FreeSWITCH logs a bad regex ("COMPILE ERROR") and answers -ERR.
 */
export function apiRegex(args: string, log: (level: string, message: string) => void = () => {}): string {
  const parts = regexArgs(args);
  if (parts.length < 2) return "-ERR";
  const [data, pattern, subst] = parts;
  const compiled = compileFsRegex(pattern);
  if (!compiled.ok) {
    log("err", regexErrorLine(pattern, compiled.reason));
    return "-ERR";
  }
  let m: (string | undefined)[] | null;
  try {
    if (subst === undefined) return compiled.regex.test(data) ? "true" : "false";
    m = compiled.regex.exec(data);
  } catch (e) {
    if (!(e instanceof SafeRegexError)) throw e;
    log("err", regexErrorLine(pattern, e.message));
    return "-ERR";
  }
  if (!m) return data;
  return subst.replace(/\$(\d)/g, (_s, i: string) => m[Number(i)] ?? "");
}

/** The regex command's subject, pattern and substitution, as mod_commands splits them. */
export function regexArgs(args: string): string[] {
  let d = args;
  let delim = "|";
  if (args[0] === "m" && args[1] === ":" && "|~/".includes(args[2] ?? "")) {
    delim = args[2];
    d = args.slice(3);
  }
  return separateCharDelim(d, delim, 3);
}

/** mod_curl: curl <url> [json|headers|content-type <t>|timeout <s>|append_headers <h>] [get|head|post|put|delete [data]] */
export async function apiCurl(argString: string, ctx: ApiContext): Promise<string> {
  const argv = separateBlankDelim(argString, 64);
  const parsed = parseCurlArgs(argString);
  const withHeaders = argv.some((a) => a.toLowerCase() === "headers");
  let url: URL;
  try {
    url = new URL(parsed.url);
  } catch {
    return "-ERR invalid url";
  }
  if (!/^https?:$/.test(url.protocol)) return "-ERR only http and https are supported";
  if (!hostAllowed(url.hostname, ctx.httpAllowList)) return `-ERR host ${url.hostname} is not on the HTTP allow-list`;
  const headers: Record<string, string> = {};
  if (parsed.contentType) headers["content-type"] = parsed.contentType;
  for (const h of parsed.headers) {
    const c = h.indexOf(":");
    // HTTP trims spaces and tabs around a field value (curl sends the line as given).
    if (c > 0) headers[h.slice(0, c).trim()] = h.slice(c + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  }
  const method = parsed.method.toUpperCase();
  try {
    const res = await fetch(url, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" || method === "DELETE" ? undefined : (parsed.body ?? ""),
      redirect: "manual",
      signal: AbortSignal.timeout((Number(parsed.timeout) || 30) * 1000),
    });
    const text = await res.text();
    const headerLines = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`);
    if (parsed.json) {
      // mod_curl's print_json: status_code a number, body only when there is one, headers as {key, value}.
      const out: Record<string, unknown> = { status_code: res.status };
      if (text !== "" && text !== " ") out.body = text;
      out.headers = [...res.headers.entries()].map(([key, value]) => ({ key, value }));
      return JSON.stringify(out);
    }
    return withHeaders ? `${headerLines.join("\n")}\n\n${text}` : text;
  } catch (e) {
    const msg = (e as Error)?.name === "TimeoutError" ? "timeout" : ((e as Error)?.message ?? "error");
    return parsed.json ? JSON.stringify({ status_code: 0, headers: [], error: msg }) : `-ERR ${msg}`;
  }
}

export async function executeApi(command: string, args: string, session: FsSession | undefined, ctx: ApiContext): Promise<string> {
  const clock = ctx.clock ?? realClock;
  const now = clock.now();
  const cmd = command.trim().toLowerCase();
  const a = args ?? "";
  switch (cmd) {
    case "regex":
      return apiRegex(a, (level, message) => (session ? session.log(level, message) : ctx.log?.(level, message)));
    case "strftime_tz": {
      // strftime_tz <zone> [<epoch>|]<format>
      const m = /^(\S+)\s*(.*)$/.exec(a.trim());
      if (!m) return "-ERR usage: strftime_tz <zone> [<epoch>|][<format>]";
      let rest = m[2];
      let when = now;
      const e = /^(\d+)\|(.*)$/.exec(rest);
      if (e) {
        when = Number(e[1]) * 1000;
        rest = e[2];
      }
      try {
        return strftime(rest || "%Y-%m-%d %T", when, m[1]);
      } catch {
        return "-ERR invalid time zone";
      }
    }
    case "strftime":
      return strftime(a || "%Y-%m-%d %T", now, clock.zone);
    case "curl":
      return apiCurl(a, ctx);
    case "global_getvar":
      return ctx.globals.get(a.trim()) ?? "";
    case "global_setvar": {
      const [k, ...v] = a.split("=");
      if (!k) return "-ERR usage: global_setvar <var>=<value>";
      ctx.globals.set(k.trim(), v.join("="));
      return "+OK";
    }
    case "expand":
    case "eval":
      return expandVariables(a, (n) => session?.channel.getVar(n), (n) => ctx.globals.get(n));
    case "echo":
      return a;
    case "md5": {
      const { createHash } = await import("node:crypto");
      return createHash("md5").update(a).digest("hex");
    }
    case "uuid_exists":
      return ctx.calls?.has(a.trim()) ? "true" : "false";
    case "uuid_getvar": {
      const [uuid, name] = a.trim().split(/\s+/);
      const s = ctx.calls?.get(uuid);
      if (!s) return "-ERR No such channel!";
      return s.channel.getVar(name ?? "") ?? "_undef_";
    }
    case "uuid_setvar": {
      const [uuid, name, ...value] = a.trim().split(/\s+/);
      const s = ctx.calls?.get(uuid);
      if (!s) return "-ERR No such channel!";
      s.channel.setVar(name, value.length ? value.join(" ") : undefined);
      return "+OK";
    }
    case "uuid_kill": {
      const [uuid, cause] = a.trim().split(/\s+/);
      const s = ctx.calls?.get(uuid);
      if (!s) return "-ERR No such channel!";
      s.doHangup(cause ?? "NORMAL_CLEARING");
      return "+OK";
    }
    case "uuid_transfer": {
      const [uuid, ext, dp, c] = a.trim().split(/\s+/);
      const s = ctx.calls?.get(uuid);
      if (!s) return "-ERR No such channel!";
      return s.doTransfer(ext, dp, c) ? "+OK" : "-ERR transfer failed";
    }
    case "uuid_send_dtmf": {
      const [uuid, digits] = a.trim().split(/\s+/);
      const s = ctx.calls?.get(uuid);
      if (!s) return "-ERR No such channel!";
      for (const d of (digits ?? "").replace(/[^0-9*#A-D]/gi, "")) s.channel.pushDtmf(d.toUpperCase());
      return "+OK";
    }
    default:
      return `-ERR ${command} Command not found!\n`;
  }
}
