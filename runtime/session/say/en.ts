// English "say" as FreeSWITCH's mod_say_en composes it: the list of sound files (relative to
// the sounds root, without extension, exactly as mod_say_en hands them to switch_say_file) for
// a value of a given type and method. Pure: the clock and the zones come in the context, so the
// same input always gives the same files. The rules, quirks included (the 11th is "eleven",
// 1905 is "nineteen five", "1.5" dollars is one dollar and five cents, a number with a sign or
// a decimal point is a parse error that says nothing), follow mod_say_en.c.
import { expandTime, isKnownZone, wallTimeToEpochMs, type TimeFields, type Zone } from "./time";

/** switch_say_type_t, in the enum's order (switch_ivr_say.c SAY_TYPE_NAMES). */
export const SAY_TYPE_NAMES = [
  "NUMBER", "ITEMS", "PERSONS", "MESSAGES", "CURRENCY", "TIME_MEASUREMENT", "CURRENT_DATE", "CURRENT_TIME",
  "CURRENT_DATE_TIME", "TELEPHONE_NUMBER", "TELEPHONE_EXTENSION", "URL", "IP_ADDRESS", "EMAIL_ADDRESS",
  "POSTAL_ADDRESS", "ACCOUNT_NUMBER", "NAME_SPELLED", "NAME_PHONETIC", "SHORT_DATE_TIME",
] as const;
/** switch_say_method_t, in the enum's order. */
export const SAY_METHOD_NAMES = ["N/A", "PRONOUNCED", "ITERATED", "COUNTED", "PRONOUNCED_YEAR"] as const;

export type SayType = (typeof SAY_TYPE_NAMES)[number];
/** An unknown method name keeps its own value (FreeSWITCH maps it past the table's end). */
export type SayMethod = (typeof SAY_METHOD_NAMES)[number] | "UNKNOWN";

/** switch_ivr_get_say_type_by_name: case-insensitive; undefined for a name the core does not know. */
export function sayTypeByName(name: string): SayType | undefined {
  const up = String(name ?? "").toUpperCase();
  return SAY_TYPE_NAMES.find((t) => t === up);
}

export function sayMethodByName(name: string): SayMethod {
  const up = String(name ?? "").toUpperCase();
  return SAY_METHOD_NAMES.find((m) => m === up) ?? "UNKNOWN";
}

export interface SayContext {
  /** The session's clock, epoch milliseconds (current_* types and time_measurement's fallback). */
  now: number;
  /** The server's own zone (switch_time_exp_lt): used without a `timezone` variable, and for time strings. */
  localZone: Zone;
  /** The channel's `timezone` variable: seconds east of UTC, or a zone name ("" = GMT). */
  timezone?: string;
}

export interface SayResult {
  /** False when mod_say_en has no function for the type (nothing is played, not even pre-answer). */
  known: boolean;
  /** Files in play order, e.g. ["digits/1", "digits/hundred"]; other sources ("silence_stream://100") as they are. */
  files: string[];
  /** What FreeSWITCH would log at error/warning level, if anything. */
  errors: string[];
}

/** mod_say_en's sequence for `text`. `type` undefined = a type name the core does not know. */
export function sayEnglish(text: string, type: SayType | undefined, method: SayMethod, ctx: SayContext): SayResult {
  const out = new Output();
  let known = true;
  try {
    switch (type) {
      case "NUMBER":
      case "ITEMS":
      case "PERSONS":
      case "MESSAGES":
        generalCount(out, text, method);
        break;
      case "TIME_MEASUREMENT":
      case "CURRENT_DATE":
      case "CURRENT_TIME":
      case "CURRENT_DATE_TIME":
      case "SHORT_DATE_TIME":
        sayTime(out, text, type, method, ctx);
        break;
      case "IP_ADDRESS":
        sayIp(out, text, method);
        break;
      case "NAME_SPELLED":
      case "NAME_PHONETIC":
        saySpell(out, text, type);
        break;
      case "CURRENCY":
        sayMoney(out, text, method);
        break;
      case "TELEPHONE_NUMBER":
        sayTelephoneNumber(out, text);
        break;
      default:
        known = false;
        out.errors.push(`Unknown Say type=[${type === undefined ? SAY_TYPE_NAMES.length : SAY_TYPE_NAMES.indexOf(type)}]`);
    }
  } catch (e) {
    if (!(e instanceof SayAbort)) throw e;
  }
  return { known, files: out.files, errors: out.errors };
}

/**
 * switch_say_file's composition: `file_string://` + the parts joined by `!`, each given the
 * extension unless it contains "://" (the first part always gets it: FreeSWITCH's own quirk).
 * Empty when there is nothing to say.
 */
export function toFileString(files: string[], ext = "wav"): string {
  return files.map((f, i) => (i === 0 ? `file_string://${f}.${ext}` : f.includes("://") ? `!${f}` : `!${f}.${ext}`)).join("");
}

// --- plumbing ------------------------------------------------------------------------------------

class Output {
  files: string[] = [];
  errors: string[] = [];
  file(name: string): void {
    this.files.push(name);
  }
}

/** A say_num that failed returns from the whole say function (what was composed so far still plays). */
class SayAbort extends Error {}

const PARSE_ERROR = "Parse Error!";

/** C's atoi/atol: leading blanks, a sign, digits; anything else ends the number (0 if none). */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** switch_strip_commas: digits kept, commas dropped, anything else fails; at most `len` digits. */
function stripCommas(s: string, len: number): string | undefined {
  let out = "";
  for (const c of s) {
    if (c >= "0" && c <= "9") {
      out += c;
      if (out.length > len) return undefined;
    } else if (c !== ",") return undefined;
  }
  return out;
}

/** switch_strip_nonnumerics: keeps digits, '.', '-', '+'; at most `len` of them. */
function stripNonNumerics(s: string, len: number): string | undefined {
  let out = "";
  for (const c of s) {
    if ((c >= "0" && c <= "9") || c === "." || c === "-" || c === "+") {
      out += c;
      if (out.length > len) return undefined;
    }
  }
  return out;
}

/** The say_num macro: "%u" of the number (C's unsigned wrap), said as ITEMS with `method`. */
function sayNum(out: Output, num: number, method: SayMethod): void {
  const unsigned = ((Math.trunc(num) % 2 ** 32) + 2 ** 32) % 2 ** 32;
  if (!generalCount(out, String(unsigned), method)) throw new SayAbort();
}

// --- numbers -------------------------------------------------------------------------------------

function playGroup(out: Output, method: SayMethod, a: number, b: number, c: number, what: string | undefined): void {
  if (a) {
    out.file(`digits/${a}`);
    out.file("digits/hundred");
  }
  if (b) {
    if (b > 1) {
      out.file(c === 0 && method === "COUNTED" ? `digits/h-${b}0` : `digits/${b}0`);
    } else {
      out.file(`digits/${b}${c}`);
      c = 0;
    }
  }
  if (c) out.file(method === "COUNTED" ? `digits/h-${c}` : `digits/${c}`);
  if (what && (a || b || c)) out.file(what);
}

/** en_say_general_count; false on a parse error (nothing said). */
function generalCount(out: Output, tosay: string, method: SayMethod): boolean {
  if (method === "ITERATED") {
    const digits = stripCommas(tosay, 127);
    if (digits === undefined) {
      out.errors.push(PARSE_ERROR);
      return false;
    }
    for (const d of digits) out.file(`digits/${d}`);
    return true;
  }
  const digits = stripCommas(tosay, 127);
  if (digits === undefined || digits.length > 9) {
    out.errors.push(PARSE_ERROR);
    return false;
  }
  const n = atoi(digits);
  if (n === 0) {
    out.file("digits/0");
    return true;
  }
  const places: number[] = [];
  let rest = n;
  for (let x = 8; x >= 0; x--) {
    const unit = 10 ** x;
    places[x] = Math.floor(rest / unit);
    rest -= places[x] * unit;
  }
  switch (method) {
    case "PRONOUNCED_YEAR": {
      const a = Math.floor(n / 100);
      const b = n % 100;
      if (!b || !(a % 10)) sayNum(out, n, "PRONOUNCED");
      else {
        sayNum(out, a, "PRONOUNCED");
        sayNum(out, b, "PRONOUNCED");
      }
      break;
    }
    case "COUNTED":
    case "PRONOUNCED":
      playGroup(out, "PRONOUNCED", places[8], places[7], places[6], "digits/million");
      playGroup(out, "PRONOUNCED", places[5], places[4], places[3], "digits/thousand");
      playGroup(out, method, places[2], places[1], places[0], undefined);
      break;
    default:
      break; // N/A and unknown methods say nothing for a non-zero number
  }
  return true;
}

// --- money ---------------------------------------------------------------------------------------

function sayMoney(out: Output, tosay: string, method: SayMethod): void {
  const sbuf = tosay.length > 15 ? undefined : stripNonNumerics(tosay, 15);
  if (sbuf === undefined) {
    out.errors.push(PARSE_ERROR);
    return;
  }
  const dot = sbuf.indexOf(".");
  let dollars = dot < 0 ? sbuf : sbuf.slice(0, dot);
  const cents = dot < 0 ? undefined : sbuf.slice(dot + 1).slice(0, 2);
  if (sbuf[0] === "+") dollars = dollars.slice(1);
  if (sbuf[0] === "-") {
    out.file("currency/negative");
    dollars = dollars.slice(1);
  }
  generalCount(out, dollars, method); // its status is not checked in mod_say_en
  out.file(atoi(dollars) === 1 ? "currency/dollar" : "currency/dollars");
  if (cents !== undefined) {
    out.file("currency/and");
    generalCount(out, cents, method);
    out.file(atoi(cents) === 1 ? "currency/cent" : "currency/cents");
  }
}

// --- spelling, telephone numbers, IP addresses ----------------------------------------------------

/** The C string's bytes as (signed) chars, lower-cased like tolower() in the C locale. */
function cChars(s: string): number[] {
  return [...Buffer.from(s, "utf8")].map((b) => {
    const c = b > 127 ? b - 256 : b;
    return c >= 65 && c <= 90 ? c + 32 : c;
  });
}

function saySpell(out: Output, tosay: string, type: "NAME_SPELLED" | "NAME_PHONETIC"): void {
  for (const a of cChars(tosay)) {
    if (a >= 48 && a <= 57) out.file(`digits/${a - 48}`);
    else out.file(type === "NAME_SPELLED" ? `ascii/${a}` : `phonetic-ascii/${a}`);
  }
}

function sayTelephoneNumber(out: Output, tosay: string): void {
  let silence = false;
  for (const a of cChars(tosay)) {
    if (a >= 48 && a <= 57) {
      out.file(`digits/${a - 48}`);
      silence = false;
    } else if (a === 43 || (a >= 97 && a <= 122)) {
      out.file(`ascii/${a}`);
      silence = false;
    } else if (!silence) {
      out.file("silence_stream://100");
      silence = true;
    }
  }
}

function sayIp(out: Output, tosay: string, method: SayMethod): void {
  const parts = tosay.split(".");
  if (parts.length < 4) return;
  // strchr splits at the first three dots; the last part keeps any further ones (atoi stops there).
  const [a, b, c] = parts;
  const d = parts.slice(3).join(".");
  for (const [i, p] of [a, b, c, d].entries()) {
    if (i > 0) out.file("digits/dot");
    sayNum(out, atoi(p), method);
  }
}

// --- dates and times -----------------------------------------------------------------------------

/**
 * switch_str_time: "YYYY-MM-DD[ HH[:MM[:SS]]]", "YYYYMMDDHHMMSS" or "[HH][:MM][:SS]" (today),
 * read as wall time in the server's zone; epoch ms, or 0 when nothing matched.
 */
export function strTime(input: string, now: number, localZone: Zone): number {
  const timeOnly = /^(\d*):?(\d*):?(\d*)$/.exec(input);
  let f: { year: number; mon: number; mday: number; hour: number; min: number; sec: number };
  if (timeOnly) {
    const today = expandTime(now, localZone);
    f = { year: today.year, mon: today.mon, mday: today.mday, hour: atoi(timeOnly[1]), min: atoi(timeOnly[2]), sec: atoi(timeOnly[3]) };
  } else {
    const m = /^(\d+)-(\d+)-(\d+)\s*(\d*):?(\d*):?(\d*)/.exec(input) ?? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(input);
    if (!m) return 0;
    f = { year: atoi(m[1]), mon: atoi(m[2]) - 1, mday: atoi(m[3]), hour: atoi(m[4]), min: atoi(m[5]), sec: atoi(m[6]) };
  }
  return wallTimeToEpochMs(f.year, f.mon, f.mday, f.hour, f.min, f.sec, localZone);
}

/** The zone mod_say_en expands times in: `timezone` as an offset, a name ("" = GMT), else local. */
function sayZone(ctx: SayContext, out: Output): Zone {
  const tz = ctx.timezone;
  if (tz === undefined) return ctx.localZone;
  const offset = atoi(tz);
  if (offset) return { offsetSeconds: offset };
  if (tz === "") return { name: "GMT" };
  if (!isKnownZone(tz)) {
    out.errors.push(`Timezone ${tz} not found, using GMT`);
    return { name: "GMT" };
  }
  return { name: tz };
}

function sayTime(out: Output, tosay: string, type: SayType, method: SayMethod, ctx: SayContext): void {
  if (type === "TIME_MEASUREMENT") {
    let hours = 0;
    let minutes = 0;
    let seconds = 0;
    if (tosay.includes(":")) {
      const last = tosay.lastIndexOf(":");
      seconds = atoi(tosay.slice(last + 1));
      const head = tosay.slice(0, last);
      const first = head.indexOf(":");
      if (first >= 0) {
        minutes = atoi(head.slice(first + 1));
        hours = atoi(head.slice(0, first));
      } else minutes = atoi(head);
    } else {
      seconds = atoi(tosay);
      if (seconds <= 0) seconds = Math.floor(ctx.now / 1000);
      if (seconds >= 60) {
        minutes = Math.floor(seconds / 60);
        seconds %= 60;
      }
      if (minutes >= 60) {
        hours = Math.floor(minutes / 60);
        minutes %= 60;
      }
    }
    const unit = (value: number, one: string, many: string) => {
      if (value) {
        sayNum(out, value, "PRONOUNCED");
        out.file(value === 1 ? one : many);
      } else {
        out.file("digits/0");
        out.file(many);
      }
    };
    unit(hours, "time/hour", "time/hours");
    unit(minutes, "time/minute", "time/minutes");
    unit(seconds, "time/second", "time/seconds");
    return;
  }

  let t = 0;
  let target = ctx.now;
  const targetNow = ctx.now;
  if (tosay.includes(":")) {
    t = Math.trunc(strTime(tosay, ctx.now, ctx.localZone) / 1000);
    target = t * 1000;
  }
  if (!t) {
    t = atoi(tosay);
    target = t > 0 ? t * 1000 : ctx.now;
  }
  if (!Number.isFinite(new Date(target).getTime())) {
    out.errors.push(`Time ${tosay} is out of range`); // beyond what a JS Date holds (±273,790 years)
    return;
  }
  const zone = sayZone(ctx, out);
  const tm: TimeFields = expandTime(target, zone);
  const tmNow: TimeFields = expandTime(targetNow, zone);

  let sayDate = false;
  let sayTimeOfDay = false;
  let sayYear = false;
  let sayMonth = false;
  let sayDow = false;
  let sayDay = false;
  let sayYesterday = false;
  let sayToday = false;
  switch (type) {
    case "CURRENT_DATE_TIME":
      sayDate = sayTimeOfDay = true;
      break;
    case "CURRENT_DATE":
      sayDate = true;
      break;
    case "CURRENT_TIME":
      sayTimeOfDay = true;
      break;
    case "SHORT_DATE_TIME": {
      sayTimeOfDay = true;
      const future =
        tm.year > tmNow.year ||
        (tm.year === tmNow.year && tm.mon > tmNow.mon) ||
        (tm.year === tmNow.year && tm.mon === tmNow.mon && tm.mday > tmNow.mday);
      if (future || tm.year !== tmNow.year) sayDate = true;
      else if (tm.yday === tmNow.yday) sayToday = true;
      else if (tm.yday === tmNow.yday - 1) sayYesterday = true;
      else if (tm.yday >= tmNow.yday - 5) sayDow = true;
      else sayMonth = sayDay = sayDow = true;
      break;
    }
    default:
      break;
  }
  if (sayDate) {
    sayYear = sayMonth = sayDay = sayDow = true;
    sayToday = sayYesterday = false;
  }
  if (sayToday) out.file("time/today");
  if (sayYesterday) out.file("time/yesterday");
  if (sayDow) out.file(`time/day-${tm.wday}`);
  if (sayMonth) out.file(`time/mon-${tm.mon}`);
  if (sayDay) sayNum(out, tm.mday, "COUNTED");
  if (sayYear) sayNum(out, tm.year, "PRONOUNCED_YEAR");

  if (!sayTimeOfDay) return;
  let hour = tm.hour;
  if (sayDate || sayToday || sayYesterday || sayDow) out.file("time/at");
  if (method === "ITERATED") {
    // 24-hour ("military") time: "oh nine thirty hours", midnight is "twenty four hundred hours".
    if (hour === 0 && tm.min === 0) hour = 24;
    if (hour < 10) sayNum(out, 0, "PRONOUNCED");
    sayNum(out, hour, "PRONOUNCED");
    if (tm.min > 9) sayNum(out, tm.min, "PRONOUNCED");
    else if (tm.min) {
      sayNum(out, 0, "PRONOUNCED");
      sayNum(out, tm.min, "PRONOUNCED");
    } else out.file("digits/hundred");
    out.file("time/hours");
    return;
  }
  const pm = hour >= 12;
  if (hour > 12) hour -= 12;
  else if (hour === 0) hour = 12;
  sayNum(out, hour, "PRONOUNCED");
  if (tm.min > 9) sayNum(out, tm.min, "PRONOUNCED");
  else if (tm.min) {
    out.file("time/oh");
    sayNum(out, tm.min, "PRONOUNCED");
  } else out.file("time/oclock");
  out.file(pm ? "time/p-m" : "time/a-m");
}
