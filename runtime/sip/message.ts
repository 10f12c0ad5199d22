// SIP message model (RFC 3261 section 7): requests and responses with ordered, multi-valued,
// case-insensitive headers, plus the serializer. Parsing lives in parser.ts.

/** Compact header forms (RFC 3261 7.3.3 and later RFCs) -> canonical name. */
const COMPACT_FORMS: Record<string, string> = {
  i: "Call-ID", f: "From", t: "To", v: "Via", m: "Contact", l: "Content-Length", c: "Content-Type",
  k: "Supported", s: "Subject", e: "Content-Encoding", o: "Event", r: "Refer-To", u: "Allow-Events",
  x: "Session-Expires", b: "Referred-By", a: "Accept-Contact", j: "Reject-Contact", d: "Request-Disposition",
  y: "Identity", n: "Identity-Info",
};

/** Canonical spelling for headers whose capitalisation is not plain Title-Case. */
const CANONICAL_NAMES: Record<string, string> = {
  "call-id": "Call-ID", cseq: "CSeq", "www-authenticate": "WWW-Authenticate", "mime-version": "MIME-Version",
  "rack": "RAck", "rseq": "RSeq", "sip-etag": "SIP-ETag", "sip-if-match": "SIP-If-Match",
};

/** Headers whose comma-separated values are split into one entry per value when parsed. */
export const LIST_HEADERS = new Set(["via", "route", "record-route", "contact"]);

/** Headers that must appear at most once in a message. */
export const SINGLE_HEADERS = new Set([
  "call-id", "from", "to", "cseq", "max-forwards", "content-length", "content-type",
]);

/** Lower-case lookup key for a header name, with compact forms expanded. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  const full = COMPACT_FORMS[lower];
  return full ? full.toLowerCase() : lower;
}

/** The spelling used when serializing: compact forms expanded, well-known names canonical. */
export function canonicalHeaderName(name: string): string {
  const key = headerKey(name);
  if (CANONICAL_NAMES[key]) return CANONICAL_NAMES[key];
  const compact = COMPACT_FORMS[name.toLowerCase()];
  if (compact) return compact;
  return key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

interface HeaderEntry {
  key: string;
  name: string;
  value: string;
}

/** Ordered header list; names compare case-insensitively, compact forms included. */
export class SipHeaders {
  private entries: HeaderEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** First value of a header, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    return this.entries.find((e) => e.key === key)?.value;
  }

  /** Every value of a header, in message order. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    return this.entries.filter((e) => e.key === key).map((e) => e.value);
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.entries.some((e) => e.key === key);
  }

  count(name: string): number {
    return this.getAll(name).length;
  }

  append(name: string, value: string): this {
    this.entries.push({ key: headerKey(name), name: canonicalHeaderName(name), value });
    return this;
  }

  /** Insert before every other header of the same name (a new top Via). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.entries.findIndex((e) => e.key === key);
    const entry = { key, name: canonicalHeaderName(name), value };
    if (at < 0) this.entries.push(entry);
    else this.entries.splice(at, 0, entry);
    return this;
  }

  /** Replace every value of a header by one value (kept at the first one's position). */
  set(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.entries.findIndex((e) => e.key === key);
    if (at < 0) return this.append(name, value);
    this.entries[at] = { key, name: canonicalHeaderName(name), value };
    this.entries = this.entries.filter((e, i) => e.key !== key || i === at);
    return this;
  }

  /** Replace the first value only (used to rewrite the top Via). */
  setFirst(name: string, value: string): this {
    const key = headerKey(name);
    const entry = this.entries.find((e) => e.key === key);
    if (entry) entry.value = value;
    else this.append(name, value);
    return this;
  }

  remove(name: string): this {
    const key = headerKey(name);
    this.entries = this.entries.filter((e) => e.key !== key);
    return this;
  }

  clone(): SipHeaders {
    const copy = new SipHeaders();
    copy.entries = this.entries.map((e) => ({ ...e }));
    return copy;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const e of this.entries) yield [e.name, e.value];
  }
}

export interface SipRequest {
  kind: "request";
  method: string;
  uri: string;
  headers: SipHeaders;
  body: Buffer;
}

export interface SipResponse {
  kind: "response";
  status: number;
  reason: string;
  headers: SipHeaders;
  body: Buffer;
}

export type SipMessage = SipRequest | SipResponse;

export function createRequest(method: string, uri: string, headers = new SipHeaders(), body?: Buffer | string): SipRequest {
  return { kind: "request", method, uri, headers, body: toBody(body) };
}

export function createResponse(status: number, reason: string, headers = new SipHeaders(), body?: Buffer | string): SipResponse {
  return { kind: "response", status, reason, headers, body: toBody(body) };
}

function toBody(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

/** CR, LF and NUL would let a value inject extra headers; they become spaces. */
function sanitizeHeaderValue(value: string): string {
  return /[\r\n\0]/.test(value) ? value.replace(/[\r\n\0]+/g, " ") : value;
}

/** Serialize a message; Content-Length is always written from the actual body. */
export function serializeMessage(msg: SipMessage): Buffer {
  const lines: string[] = [];
  if (msg.kind === "request") lines.push(`${msg.method} ${msg.uri} SIP/2.0`);
  else lines.push(`SIP/2.0 ${msg.status} ${sanitizeHeaderValue(msg.reason)}`);
  for (const [name, value] of msg.headers) {
    if (headerKey(name) === "content-length") continue;
    lines.push(`${name}: ${sanitizeHeaderValue(value)}`);
  }
  lines.push(`Content-Length: ${msg.body.length}`);
  const head = Buffer.from(lines.join("\r\n") + "\r\n\r\n", "utf8");
  return msg.body.length ? Buffer.concat([head, msg.body]) : head;
}

/** Short one-line description for logs and traces. */
export function describeMessage(msg: SipMessage): string {
  const cseq = msg.headers.get("cseq") ?? "?";
  const callId = msg.headers.get("call-id") ?? "?";
  return msg.kind === "request"
    ? `${msg.method} ${msg.uri} (CSeq ${cseq}, Call-ID ${callId})`
    : `${msg.status} ${msg.reason} (CSeq ${cseq}, Call-ID ${callId})`;
}
