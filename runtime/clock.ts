// The runtime's clock: what scripts see as "now" and their local time zone (strftime_tz,
// strftime, Lua os.date/os.time, freeswitch.API():getTime(), Date in TS scripts).
// Production reads the real clock. Tests pin it with a ClockSetting, plain data so that it
// crosses a postMessage to the threads that run scripts: from the pinned instant the clock
// advances with real time (scripts use timers), it is not frozen.

/** A pinned clock, as serialisable data: `{ at: "2026-12-07T15:00:00Z", zone: "America/New_York" }`. */
export interface ClockSetting {
  /** The instant "now" starts at (ISO 8601 with a zone or offset); default the real now. */
  at?: string;
  /** IANA zone of the scripts' local time (strftime, os.date, Date); default the process's zone. */
  zone?: string;
  /**
   * Real epoch ms at which `at` held. pinClock() fills it in, so that clocks built from the same
   * setting in several threads agree; without it a clock starts at `at` when it is built.
   */
  since?: number;
}

export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** The scripts' local zone; undefined means the process's own (TZ). */
  readonly zone: string | undefined;
  /** The setting this clock was built from (undefined = the real clock): pass it on to other threads. */
  readonly setting: ClockSetting | undefined;
}

export const realClock: Clock = { now: () => Date.now(), zone: undefined, setting: undefined };

/** Check a setting and fix the real instant it started at (call once, then share the result). */
export function pinClock(setting: ClockSetting): ClockSetting {
  if (setting.at !== undefined && !/(Z|[+-]\d\d:?\d\d)$/i.test(setting.at.trim())) {
    throw new Error(`clock.at must name its zone or offset (e.g. "2026-12-07T15:00:00Z"): ${setting.at}`);
  }
  if (setting.at !== undefined && Number.isNaN(Date.parse(setting.at))) throw new Error(`clock.at is not an ISO 8601 instant: ${setting.at}`);
  if (setting.zone !== undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: setting.zone });
    } catch {
      throw new Error(`clock.zone is not an IANA time zone: ${setting.zone}`);
    }
  }
  return { ...setting, since: setting.since ?? Date.now() };
}

/** The clock for a setting; no setting = the real clock. */
export function createClock(setting?: ClockSetting): Clock {
  if (!setting) return realClock;
  const pinned = pinClock(setting);
  const since = pinned.since!;
  const at = pinned.at !== undefined ? Date.parse(pinned.at) : since;
  return { now: () => at + (Date.now() - since), zone: pinned.zone, setting: pinned };
}

// --- calendar arithmetic in a zone ------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** Local fields of an instant in a zone (month 1-12, w: Sunday = 0). */
export interface ZonedParts {
  y: number; m: number; d: number; H: number; M: number; S: number; w: number;
  /** Seconds east of UTC. */
  offset: number;
  /** Short zone name ("EST"), or "GMT-5" where there is none. */
  zone: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? "";
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short", timeZoneName: "short",
    });
    formats.set(key, f);
  }
  return f;
}

/** Throws RangeError for an unknown zone. */
export function zonedParts(ms: number, timeZone: string | undefined): ZonedParts {
  const p: Record<string, string> = {};
  for (const part of formatFor(timeZone).formatToParts(new Date(ms))) p[part.type] = part.value;
  const y = +p.year, m = +p.month, d = +p.day, H = +p.hour, M = +p.minute, S = +p.second;
  const whole = Math.floor(ms / 1000) * 1000;
  return {
    y, m, d, H, M, S,
    w: DAYS.findIndex((n) => n.startsWith(p.weekday)),
    offset: Math.round((Date.UTC(y, m - 1, d, H, M, S) - whole) / 1000),
    zone: p.timeZoneName ?? "",
  };
}

/** Epoch ms of a local date-time in a zone (fields normalise like mktime: month 13 is next January). */
export function localToEpoch(
  timeZone: string | undefined,
  y: number, month0: number, d = 1, H = 0, M = 0, S = 0, ms = 0,
): number {
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(y, month0, d);
  asUtc.setUTCHours(H, M, S, ms);
  const guess = asUtc.getTime();
  const first = guess - zonedParts(guess, timeZone).offset * 1000;
  return guess - zonedParts(first, timeZone).offset * 1000;
}

/** Daylight saving in effect: the offset is larger than the zone's smaller one of January and July. */
export function isDst(ms: number, timeZone: string | undefined): boolean {
  const y = new Date(ms).getUTCFullYear();
  const jan = zonedParts(Date.UTC(y, 0, 1), timeZone).offset;
  const jul = zonedParts(Date.UTC(y, 6, 1), timeZone).offset;
  return jan !== jul && zonedParts(ms, timeZone).offset === Math.max(jan, jul);
}

const dayOfYear = (t: ZonedParts) => Math.floor((Date.UTC(t.y, t.m - 1, t.d) - Date.UTC(t.y, 0, 1)) / 86_400_000) + 1;

/** ISO 8601 week-based year and week. */
function isoWeek(t: ZonedParts): { year: number; week: number } {
  const date = new Date(Date.UTC(t.y, t.m - 1, t.d));
  const wd = t.w === 0 ? 7 : t.w;
  date.setUTCDate(date.getUTCDate() + 4 - wd); // the Thursday of this week
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return { year, week };
}

/** Conversions strftime knows (C99, as Lua 5.4's os.date accepts them). */
export const STRFTIME_CONVERSIONS = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";

/** strftime(3) in the C locale, in a zone (undefined = the process's); unknown conversions stay as written. */
export function strftime(format: string, date: Date | number, timeZone?: string): string {
  const ms = typeof date === "number" ? date : date.getTime();
  const t = zonedParts(ms, timeZone);
  const conv = (c: string): string => {
    switch (c) {
      case "Y": return String(t.y);
      case "y": return pad(t.y % 100);
      case "C": return pad(Math.floor(t.y / 100));
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
      case "j": return pad(dayOfYear(t), 3);
      case "U": return pad(Math.floor((dayOfYear(t) - 1 - t.w + 7) / 7));
      case "W": return pad(Math.floor((dayOfYear(t) - 1 - ((t.w + 6) % 7) + 7) / 7));
      case "V": return pad(isoWeek(t).week);
      case "G": return String(isoWeek(t).year);
      case "g": return pad(isoWeek(t).year % 100);
      case "Z": return t.zone;
      case "z": {
        const o = Math.abs(t.offset);
        return `${t.offset < 0 ? "-" : "+"}${pad(Math.floor(o / 3600))}${pad(Math.floor((o % 3600) / 60))}`;
      }
      case "s": return String(Math.floor(ms / 1000));
      case "F": return `${t.y}-${pad(t.m)}-${pad(t.d)}`;
      case "T": return `${pad(t.H)}:${pad(t.M)}:${pad(t.S)}`;
      case "R": return `${pad(t.H)}:${pad(t.M)}`;
      case "r": return `${conv("I")}:${pad(t.M)}:${pad(t.S)} ${conv("p")}`;
      case "D": case "x": return `${pad(t.m)}/${pad(t.d)}/${pad(t.y % 100)}`;
      case "X": return conv("T");
      case "c": return `${conv("a")} ${conv("b")} ${conv("e")} ${conv("T")} ${t.y}`;
      case "n": return "\n";
      case "t": return "\t";
      case "%": return "%";
      default: return `%${c}`;
    }
  };
  // %E and %O modifiers select alternative representations; the C locale has none.
  return format.replace(/%[EO]?([a-zA-Z%])/g, (_m, c: string) => conv(c));
}

// --- Date for TS scripts ------------------------------------------------------------------

const LOCAL_FIELDS = ["FullYear", "Month", "Date", "Hours", "Minutes", "Seconds", "Milliseconds"] as const;

/**
 * A Date constructor on a clock: `new Date()`, `Date.now()` and `Date()` read the clock; with a
 * zone, the local-time methods (getHours, setDate, toString, toLocaleString...) use that zone.
 * TS scripts get it in place of the global Date (see ts-host.ts).
 */
export function dateClassFor(clock: Clock): DateConstructor {
  const RealDate = Date;
  const zone = clock.zone;
  const localMs = (d: Date) => d.getTime() + zonedParts(d.getTime(), zone).offset * 1000;
  class ClockDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(clock.now());
      else if (args.length === 1) {
        const a = args[0];
        // A date-time string without an offset is local time (date-only forms are UTC, as in JS).
        const m = zone && typeof a === "string" ? /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?$/.exec(a.trim()) : null;
        if (m) super(localToEpoch(zone, +m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), +(m[7] ?? "0").padEnd(3, "0")));
        else super(a instanceof RealDate ? a.getTime() : (a as string | number));
      } else if (zone) {
        const n = args.map(Number);
        super(localToEpoch(zone, n[0] >= 0 && n[0] <= 99 ? 1900 + n[0] : n[0], n[1], n[2] ?? 1, n[3] ?? 0, n[4] ?? 0, n[5] ?? 0, n[6] ?? 0));
      } else super(...(args as [number, number]));
    }
    static override now(): number {
      return clock.now();
    }
  }
  if (zone) {
    const proto = ClockDate.prototype as unknown as Record<string, unknown>;
    for (const f of LOCAL_FIELDS) {
      proto[`get${f}`] = function (this: Date) {
        return (new RealDate(localMs(this)) as unknown as Record<string, () => number>)[`getUTC${f}`]();
      };
      proto[`set${f}`] = function (this: Date, ...v: number[]) {
        const shifted = new RealDate(localMs(this)) as unknown as Record<string, (...a: number[]) => number>;
        shifted[`setUTC${f}`](...v);
        const s = shifted as unknown as Date;
        return this.setTime(
          localToEpoch(zone, s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate(), s.getUTCHours(), s.getUTCMinutes(), s.getUTCSeconds(), s.getUTCMilliseconds()),
        );
      };
    }
    proto.getDay = function (this: Date) {
      return new RealDate(localMs(this)).getUTCDay();
    };
    proto.getYear = function (this: Date) {
      return new RealDate(localMs(this)).getUTCFullYear() - 1900;
    };
    proto.getTimezoneOffset = function (this: Date) {
      return -zonedParts(this.getTime(), zone).offset / 60;
    };
    const zoneName = (d: Date) => new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "long" }).formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? zone;
    proto.toDateString = function (this: Date) {
      return strftime("%a %b %d %Y", this, zone);
    };
    proto.toTimeString = function (this: Date) {
      return `${strftime("%H:%M:%S GMT%z", this, zone)} (${zoneName(this)})`;
    };
    proto.toString = function (this: Date) {
      return Number.isNaN(this.getTime()) ? "Invalid Date" : `${(this as Date).toDateString()} ${(this as Date).toTimeString()}`;
    };
    for (const name of ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"] as const) {
      const real = RealDate.prototype[name];
      proto[name] = function (this: Date, locales?: Intl.LocalesArgument, options?: Intl.DateTimeFormatOptions) {
        return real.call(this, locales, { timeZone: zone, ...options });
      };
    }
  }
  // Date() called without `new` is the current time as a string.
  return new Proxy(ClockDate, { apply: () => new ClockDate().toString() }) as unknown as DateConstructor;
}

// --- sharing a clock with compiled scripts ------------------------------------------------

let nextId = 1;

/** Register a clock's Date under a global name; compiled TS scripts bind `Date` to it (ts-host.ts). */
export function registerClockDate(clock: Clock): string {
  const name = `__ivrStudioDate${nextId++}`;
  (globalThis as Record<string, unknown>)[name] = dateClassFor(clock);
  return name;
}

export function unregisterClockDate(name: string): void {
  delete (globalThis as Record<string, unknown>)[name];
}
