// The FreeSWITCH API commands generated Lua calls through freeswitch.API():execute(cmd, args):
// regex (mod_commands), strftime_tz (mod_commands), curl (mod_curl). Argument parsing follows
// switch_separate_string (switch_utils.c) so quoting/escaping mistakes in generated code show.
import type { HttpReply } from "./caller";
import { HarnessError } from "./errors";

const ESC = "\\";

function unescapeChar(c: string): string {
  return c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c === "s" ? " " : c;
}

/** cleanup_separated_string: strips paired single quotes, unescapes, trims spaces. */
function cleanup(str: string, delim: string | null): string {
  let i = 0;
  while (str[i] === " ") i++;
  let out = "";
  let end = -1; // length of `out` up to its last significant char (C: the `end` pointer)
  let inQuotes = false;
  for (; i < str.length; i++) {
    const ch = str[i];
    if (ch === ESC && i + 1 < str.length) {
      const e = str[i + 1];
      if (e === "'" || e === '"' || (delim !== null && e === delim) || e === ESC || unescapeChar(e) !== e) {
        out += unescapeChar(e);
        end = out.length;
        i++;
        continue;
      }
    }
    if (ch === "'" && (inQuotes || str.indexOf("'", i + 1) >= 0)) {
      inQuotes = !inQuotes;
      if (inQuotes) end = out.length;
    } else {
      out += ch;
      if (ch !== " " || inQuotes) end = out.length;
    }
  }
  return end >= 0 ? out.slice(0, end) : out;
}

/** switch_separate_string(buf, delim, array, max). */
export function separateString(input: string, delim: string, max: number): string[] {
  let buf = input;
  if (buf.startsWith("^^") && buf.length >= 4) {
    delim = buf[2];
    buf = buf.slice(3);
  }
  const parts: string[] = [];
  if (delim === " ") {
    let i = 0;
    while (i < buf.length && parts.length < max) {
      const start = i;
      while (buf[i] === " ") i++;
      let inQuotes = false;
      while (i < buf.length) {
        if (buf[i] === ESC) i++;
        else if (buf[i] === "'") inQuotes = !inQuotes;
        else if (buf[i] === " " && !inQuotes) break;
        i++;
      }
      const atLimit = parts.length === max - 1;
      parts.push(buf.slice(start, atLimit ? buf.length : i));
      if (atLimit) break;
      while (buf[i] === " ") i++;
    }
    return parts.map((p) => cleanup(p, null));
  }
  let i = 0;
  let start = 0;
  let inQuotes = false;
  if (buf.length === 0) return [];
  while (i < buf.length) {
    const ch = buf[i];
    if (ch === ESC) i++;
    else if (ch === "'" && (inQuotes || buf.indexOf("'", i + 1) >= 0)) inQuotes = !inQuotes;
    else if (ch === delim && !inQuotes && parts.length < max - 1) {
      parts.push(buf.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  if (start < buf.length || parts.length === 0) parts.push(buf.slice(start));
  return parts.map((p) => cleanup(p, delim));
}

/** The regex API: `[m:<d>]subject<d>pattern[<d>subst]` -> "true" / "false" (no substitution support). */
export function regexApi(args: string): string {
  let d = "|";
  let rest = args;
  if (rest.length > 2 && rest[0] === "m" && rest[1] === ":" && "|~/".includes(rest[2])) {
    d = rest[2];
    rest = rest.slice(3);
  }
  const argv = separateString(rest, d, 3);
  if (argv.length < 2) return "-ERR";
  if (argv.length > 2) throw new HarnessError("regex substitution is not supported");
  return pcreTest(argv[1], argv[0]) ? "true" : "false";
}

/** PCRE match via JavaScript RegExp: equal on the portable subset the flow validator allows. */
export function pcreTest(pattern: string, subject: string): boolean {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return false; // FreeSWITCH logs the compile error and reports no match
  }
  return re.test(subject);
}

const DOW_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DOW_LONG = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MON_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

export function zonedParts(epochMs: number, zone: string): ZonedParts {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    weekday: "short",
  });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(epochMs))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: DOW_SHORT.indexOf(p.weekday),
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** strftime over the zoned time: the conversions an IVR needs. Unknown ones are an error (stand-in gap). */
export function strftime(format: string, epochMs: number, zone: string): string {
  const t = zonedParts(epochMs, zone);
  const yday = Math.round((Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000) + 1;
  return format.replace(/%(.)/g, (_m, c: string) => {
    switch (c) {
      case "Y": return String(t.year);
      case "y": return pad(t.year % 100);
      case "m": return pad(t.month);
      case "d": return pad(t.day);
      case "e": return String(t.day).padStart(2, " ");
      case "H": return pad(t.hour);
      case "M": return pad(t.minute);
      case "S": return pad(t.second);
      case "T": return `${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
      case "R": return `${pad(t.hour)}:${pad(t.minute)}`;
      case "F": return `${t.year}-${pad(t.month)}-${pad(t.day)}`;
      case "w": return String(t.weekday);
      case "u": return String(t.weekday === 0 ? 7 : t.weekday);
      case "a": return DOW_SHORT[t.weekday];
      case "A": return DOW_LONG[t.weekday];
      case "b": return MON_SHORT[t.month - 1];
      case "j": return pad(yday, 3);
      case "s": return String(Math.floor(epochMs / 1000));
      case "%": return "%";
      default: throw new HarnessError(`strftime conversion %${c} is not implemented`);
    }
  });
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** strftime_tz: `<zone> [<epoch>|][format]`; default format "%Y-%m-%d %T". */
export function strftimeTzApi(args: string, nowMs: number): string {
  let zone = args;
  let format = "";
  const sp = args.indexOf(" ");
  if (sp >= 0) {
    zone = args.slice(0, sp);
    format = args.slice(sp + 1);
  }
  let when = nowMs;
  const bar = format.indexOf("|");
  if (sp >= 0 && bar >= 0) {
    const epoch = parseInt(format.slice(0, bar), 10) || 0;
    if (epoch) when = epoch * 1000;
    format = format.slice(bar + 1);
  }
  if (!format) format = "%Y-%m-%d %T";
  if (!zone || !validZone(zone)) return "-ERR Invalid Timezone\n";
  return strftime(format, when, zone);
}

export interface CurlRequest {
  url: string;
  method: string;
  body?: string;
  contentType?: string;
  headers: string[];
  json: boolean;
  timeoutSec?: number;
}

/** mod_curl argument parsing: `url [headers|json|content-type X|connect-timeout N|timeout N|append_headers H|insecure|secure|proxy X] [get|head|post|put|delete [data]]`. */
export function parseCurlArgs(args: string): CurlRequest {
  const argv = separateString(args, " ", 25);
  if (argv.length === 0) throw new HarnessError("curl: no URL");
  const req: CurlRequest = { url: argv[0], method: "get", headers: [], json: false };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === "headers") continue;
    else if (a === "json") req.json = true;
    else if (a === "get" || a === "head") req.method = a;
    else if (a === "post" || a === "put" || a === "delete") {
      req.method = a;
      if (i + 1 < argv.length) req.body = decodeURIComponentSafe(argv[++i]);
    } else if (a === "content-type") req.contentType = argv[++i];
    else if (a === "timeout" || a === "connect-timeout") req.timeoutSec = Number(argv[++i]);
    else if (a === "append_headers") req.headers.push(argv[++i]);
    else if (a === "proxy") i++;
  }
  return req;
}

function decodeURIComponentSafe(s: string): string {
  // switch_url_decode: %XX sequences only (a bare % stays)
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** What `curl ... json` prints (print_json in mod_curl.c): status_code number, body only when non-empty. */
export function curlJsonOutput(reply: HttpReply): string {
  const out: Record<string, unknown> = { status_code: reply.status };
  if (reply.body) out.body = reply.body;
  out.headers = Object.entries(reply.headers ?? {}).map(([key, value]) => ({ key, value }));
  return JSON.stringify(out);
}
