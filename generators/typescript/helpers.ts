// TypeScript helper functions a generated script may include (only those it uses).
// Same behaviour as the Lua helpers, with JavaScript natives.
import type { HelperName } from "../common/ir";

export const TS_HELPER_NAMES: Record<HelperName, string> = {
  regex: "ivrRegex",
  num: "ivrNum",
  timeOfDay: "ivrTimeOfDay",
  http: "ivrHttp",
  fileName: "ivrFileName",
};

/** Helpers that take the session as first argument and must be awaited. */
export const TS_ASYNC_HELPERS: ReadonlySet<HelperName> = new Set(["http"]);

const REGEX = `/** Regex test (the validator keeps patterns in the PCRE/JavaScript common subset). */
function ivrRegex(subject: string, pattern: string): boolean {
  try {
    return new RegExp(pattern).test(subject);
  } catch {
    return false;
  }
}`;

const NUM = `/** A decimal number, or undefined (hex, Infinity and NaN are not numbers here). */
function ivrNum(v: string | undefined): number | undefined {
  if (v === undefined || !/^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*$/.test(v)) return undefined;
  return Number(v);
}`;

const TIME_OF_DAY = `/** "open", "closed" or "holiday" now in a time zone; hours use Sunday = 0 and minutes, "to" exclusive. */
function ivrTimeOfDay(
  timeZone: string,
  hours: ReadonlyArray<{ days: readonly number[]; from: number; to: number }>,
  holidays: readonly string[],
): "open" | "closed" | "holiday" {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).formatToParts(new Date());
  } catch {
    return "closed";
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const monthDay = part("month") + "-" + part("day");
  if (holidays.some((h) => h === part("year") + "-" + monthDay || h === monthDay)) return "holiday";
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(part("weekday"));
  const minutes = Number(part("hour")) * 60 + Number(part("minute"));
  const open = hours.some((r) => r.days.includes(weekday) && minutes >= r.from && minutes < r.to);
  return open ? "open" : "closed";
}`;

const HTTP = `/** JSON value at a dotted path ("items.0.id"). */
function ivrJsonPath(value: unknown, path: string): unknown {
  for (const seg of path.split(".").filter((s) => s !== "")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[seg];
  }
  return value;
}

/** A JSON scalar as a channel variable value (undefined for objects, arrays and null). */
function ivrJsonString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  return undefined;
}

interface IvrHttpRequest {
  method: string;
  url: string;
  headers: ReadonlyArray<{ name: string; value: string }>;
  contentType: string;
  body: string;
  timeoutMs: number;
  statusVariable: string;
  responseVariables: ReadonlyArray<{ name: string; path: string }>;
}

/** HTTP request with fetch; true on a 2xx status. Stores the status and the requested response fields. */
async function ivrHttp(session: Session, req: IvrHttpRequest): Promise<boolean> {
  const hasBody = req.method === "POST" || req.method === "PUT";
  const headers: Record<string, string> = {};
  for (const h of req.headers) headers[h.name.replace(/[\\r\\n]/g, " ")] = h.value.replace(/[\\r\\n]/g, " ");
  if (hasBody && req.contentType !== "") headers["Content-Type"] = req.contentType;
  let res: Response;
  let text: string;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    void err; // timeouts and connection errors alike: the same line as the Lua script logs
    await session.consoleLog("err", "ivr: HTTP request failed: no response\\n");
    if (req.statusVariable !== "") await session.setVariable(req.statusVariable, "0");
    return false;
  }
  if (req.statusVariable !== "") await session.setVariable(req.statusVariable, String(res.status));
  if (res.status < 200 || res.status > 299) return false;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  for (const rv of req.responseVariables) await session.setVariable(rv.name, ivrJsonString(ivrJsonPath(data, rv.path)));
  return true;
}`;

const FILE_NAME = `/**
 * A variable's value as part of a file name, never a folder: only letters, digits and - _ . + @ = ,
 * (anything else becomes one _ per UTF-8 byte, as in Lua), and no leading dot.
 */
function ivrFileName(v: string): string {
  const utf8Bytes = (c: string) => {
    const cp = c.codePointAt(0) ?? 0;
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  };
  return v.replace(/[^A-Za-z0-9\\-_.+@=,]/gu, (c) => "_".repeat(utf8Bytes(c))).replace(/^\\./, "_");
}`;

export const TS_HELPERS: Record<HelperName, string> = { regex: REGEX, num: NUM, timeOfDay: TIME_OF_DAY, http: HTTP, fileName: FILE_NAME };
