// Broken-down local time as FreeSWITCH's switch_time_exp_* gives it to the say modules
// (tm_year, tm_mon 0-11, tm_mday, tm_wday 0 = Sunday, tm_yday 0-365, tm_hour...), for an
// IANA zone name or a fixed offset in seconds east of UTC (the `timezone` channel variable).
export interface TimeFields {
  year: number;
  mon: number;
  mday: number;
  wday: number;
  yday: number;
  hour: number;
  min: number;
  sec: number;
}

export type Zone = { offsetSeconds: number } | { name: string };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
    formatters.set(name, f);
  }
  return f;
}

/** True when the runtime knows the zone name (Intl/ICU tz database). */
export function isKnownZone(name: string): boolean {
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** Date.UTC without its two-digit-year mapping (years 0-99 stay themselves). */
export function utcMs(year: number, mon: number, mday: number, hour = 0, min = 0, sec = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, mon, mday);
  d.setUTCHours(hour, min, sec, 0);
  return d.getTime();
}

function fieldsFromUtcParts(year: number, mon: number, mday: number, hour: number, min: number, sec: number): TimeFields {
  const dayStart = utcMs(year, mon, mday);
  const jan1 = utcMs(year, 0, 1);
  return {
    year,
    mon,
    mday,
    wday: new Date(dayStart).getUTCDay(),
    yday: Math.round((dayStart - jan1) / 86_400_000),
    hour,
    min,
    sec,
  };
}

/** switch_time_exp_tz / switch_time_exp_tz_name: the wall-clock fields of `epochMs` in `zone`. */
export function expandTime(epochMs: number, zone: Zone): TimeFields {
  if ("offsetSeconds" in zone) {
    const d = new Date(epochMs + zone.offsetSeconds * 1000);
    return fieldsFromUtcParts(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  }
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone.name).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === "BC") year = 1 - year;
  return fieldsFromUtcParts(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** Seconds east of UTC that `zone` is at `epochMs` (tm_gmtoff). */
export function zoneOffsetSeconds(epochMs: number, zone: Zone): number {
  if ("offsetSeconds" in zone) return zone.offsetSeconds;
  const f = expandTime(epochMs, zone);
  const wall = utcMs(f.year, f.mon, f.mday, f.hour, f.min, f.sec);
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 1000);
}

/**
 * apr's exp_get + exp_gmt_get as switch_str_time uses them: the wall-clock fields are read as
 * UTC, then the zone's offset at that instant is taken off.
 */
export function wallTimeToEpochMs(year: number, mon: number, mday: number, hour: number, min: number, sec: number, zone: Zone): number {
  const asUtc = utcMs(year, mon, mday, hour, min, sec);
  return asUtc - zoneOffsetSeconds(asUtc, zone) * 1000;
}
