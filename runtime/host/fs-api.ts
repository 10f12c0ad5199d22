// freeswitch.API():execute(cmd, args) on the runtime: the documented subset. It covers
// every API the Lua generator emits (regex, strftime_tz, curl; see generators/lua/binding.ts)
// plus a few script staples. Anything else answers "-ERR <cmd> Command not found!" as
// FreeSWITCH does for an unknown command.
import { hostAllowed } from "../../flow/http-hosts";
import { expandVariables } from "../session/expand";
import { parseCurlArgs, separateBlankDelim, separateCharDelim } from "./fs-split";
import type { FsSession } from "../session/session";

export interface ApiContext {
  globals: Map<string, string>;
  /** Hosts curl may reach (exact, or "*.example.com"); empty = none. */
  httpAllowList: readonly string[];
  /** Live calls of this runtime by uuid, for uuid_* commands. */
  calls?: Map<string, FsSession>;
  now?: () => Date;
}

export const SUPPORTED_API_COMMANDS = [
  "regex", "strftime_tz", "strftime", "curl", "global_getvar", "global_setvar", "expand", "eval", "echo",
  "uuid_getvar", "uuid_setvar", "uuid_exists", "uuid_kill", "uuid_transfer", "uuid_send_dtmf", "md5",
] as const;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

interface ZonedParts {
  y: number; m: number; d: number; H: number; M: number; S: number; w: number; zone: string;
}

function zonedParts(date: Date, timeZone: string | undefined): ZonedParts {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short", timeZoneName: "short",
  });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  const w = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(p.weekday);
  return { y: +p.year, m: +p.month, d: +p.day, H: +p.hour, M: +p.minute, S: +p.second, w, zone: p.timeZoneName ?? "" };
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** strftime for the common conversions, in a time zone. */
export function strftime(format: string, date: Date, timeZone?: string): string {
  const t = zonedParts(date, timeZone);
  const dayOfYear = Math.floor((Date.UTC(t.y, t.m - 1, t.d) - Date.UTC(t.y, 0, 1)) / 86_400_000) + 1;
  return format.replace(/%([a-zA-Z%])/g, (_m, c: string) => {
    switch (c) {
      case "Y": return String(t.y);
      case "y": return pad(t.y % 100);
      case "m": return pad(t.m);
      case "d": return pad(t.d);
      case "e": return String(t.d).padStart(2, " ");
      case "H": return pad(t.H);
      case "I": return pad(t.H % 12 === 0 ? 12 : t.H % 12);
      case "M": return pad(t.M);
      case "S": return pad(t.S);
      case "p": return t.H < 12 ? "AM" : "PM";
      case "w": return String(t.w);
      case "u": return String(t.w === 0 ? 7 : t.w);
      case "a": return DAYS[t.w].slice(0, 3);
      case "A": return DAYS[t.w];
      case "b": case "h": return MONTHS[t.m - 1].slice(0, 3);
      case "B": return MONTHS[t.m - 1];
      case "j": return pad(dayOfYear, 3);
      case "Z": return t.zone;
      case "s": return String(Math.floor(date.getTime() / 1000));
      case "F": return `${t.y}-${pad(t.m)}-${pad(t.d)}`;
      case "T": return `${pad(t.H)}:${pad(t.M)}:${pad(t.S)}`;
      case "D": return `${pad(t.m)}/${pad(t.d)}/${pad(t.y % 100)}`;
      case "%": return "%";
      default: return `%${c}`;
    }
  });
}

/** mod_commands regex: "data|pattern[|subst]" or "m:<d>data<d>pattern[<d>subst]" (d one of | ~ /). */
export function apiRegex(args: string): string {
  let d = args;
  let delim = "|";
  if (args[0] === "m" && args[1] === ":" && "|~/".includes(args[2] ?? "")) {
    delim = args[2];
    d = args.slice(3);
  }
  const parts = separateCharDelim(d, delim, 3);
  if (parts.length < 2) return "-ERR";
  const [data, pattern, subst] = parts;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return "-ERR";
  }
  const m = re.exec(data);
  if (subst === undefined) return m ? "true" : "false";
  if (!m) return data;
  return subst.replace(/\$(\d)/g, (_s, i: string) => m[Number(i)] ?? "");
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
    if (c > 0) headers[h.slice(0, c).trim()] = h.slice(c + 1).trim();
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
      const out: Record<string, unknown> = { status_code: String(res.status), body: text };
      if (withHeaders) out.headers = headerLines;
      return JSON.stringify(out);
    }
    return withHeaders ? `${headerLines.join("\n")}\n\n${text}` : text;
  } catch (e) {
    const msg = (e as Error)?.name === "TimeoutError" ? "timeout" : ((e as Error)?.message ?? "error");
    return parsed.json ? JSON.stringify({ status_code: "0", body: "", error: msg }) : `-ERR ${msg}`;
  }
}

export async function executeApi(command: string, args: string, session: FsSession | undefined, ctx: ApiContext): Promise<string> {
  const now = ctx.now?.() ?? new Date();
  const cmd = command.trim().toLowerCase();
  const a = args ?? "";
  switch (cmd) {
    case "regex":
      return apiRegex(a);
    case "strftime_tz": {
      // strftime_tz <zone> [<epoch>|]<format>
      const m = /^(\S+)\s*(.*)$/.exec(a.trim());
      if (!m) return "-ERR usage: strftime_tz <zone> [<epoch>|][<format>]";
      let rest = m[2];
      let when = now;
      const e = /^(\d+)\|(.*)$/.exec(rest);
      if (e) {
        when = new Date(Number(e[1]) * 1000);
        rest = e[2];
      }
      try {
        return strftime(rest || "%Y-%m-%d %T", when, m[1]);
      } catch {
        return "-ERR invalid time zone";
      }
    }
    case "strftime":
      return strftime(a || "%Y-%m-%d %T", now);
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
