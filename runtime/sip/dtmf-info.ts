// DTMF carried in SIP INFO bodies: application/dtmf-relay ("Signal=5\r\nDuration=160")
// and application/dtmf ("5"). Pure functions.

export interface InfoDtmf {
  digit: string;
  durationMs: number;
}

/** FreeSWITCH's default digit duration (2000 samples at 8 kHz) when the body gives none. */
export const DEFAULT_DTMF_DURATION_MS = 250;

const DTMF_TYPES = new Set(["application/dtmf-relay", "application/dtmf"]);

export function isDtmfContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && DTMF_TYPES.has(mediaType(contentType));
}

export function mediaType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

function normalizeDigit(signal: string): string | undefined {
  const s = signal.trim().toUpperCase();
  if (/^[0-9*#A-D]$/.test(s)) return s;
  if (s === "10") return "*";
  if (s === "11") return "#";
  return undefined;
}

export function parseInfoDtmf(contentType: string, body: string): InfoDtmf | { error: string } {
  const type = mediaType(contentType);
  if (type === "application/dtmf") {
    const digit = normalizeDigit(body);
    return digit ? { digit, durationMs: DEFAULT_DTMF_DURATION_MS } : { error: `invalid DTMF digit: ${body.trim().slice(0, 20)}` };
  }
  if (type !== "application/dtmf-relay") return { error: `not a DTMF content type: ${type}` };
  let digit: string | undefined;
  let durationMs = DEFAULT_DTMF_DURATION_MS;
  for (const line of body.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const m = /^\s*([A-Za-z-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) return { error: `malformed dtmf-relay line: ${line.slice(0, 40)}` };
    const name = m[1].toLowerCase();
    if (name === "signal") {
      digit = normalizeDigit(m[2]);
      if (!digit) return { error: `invalid Signal: ${m[2].slice(0, 20)}` };
    } else if (name === "duration") {
      if (!/^\d{1,6}$/.test(m[2])) return { error: `invalid Duration: ${m[2].slice(0, 20)}` };
      durationMs = Number(m[2]);
    }
  }
  return digit ? { digit, durationMs } : { error: "dtmf-relay body without Signal" };
}
