// Strict, size-limited SIP message parser for datagrams (RFC 3261 sections 7 and 18.3).
// parseMessage never throws: it returns {ok:true, message} or {ok:false, error, partial?}.
import {
  LIST_HEADERS, SINGLE_HEADERS, SipHeaders, headerKey,
  type SipMessage, type SipRequest, type SipResponse,
} from "./message";
import { TOKEN_RE, parseAnyUri, parseCSeq, parseNameAddr, parseVia, splitList } from "./grammar";

export interface ParseLimits {
  /** Largest datagram accepted (UDP payloads top out just under 64 KiB). */
  maxMessageBytes: number;
  /** Most header entries (after comma-list splitting). */
  maxHeaders: number;
  /** Longest physical header line. */
  maxLineLength: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxMessageBytes: 65535, maxHeaders: 256, maxLineLength: 8192 };

/** What could be read of a broken request: enough, perhaps, to answer 400. */
export interface PartialRequest {
  method: string;
  uri: string;
  headers: SipHeaders;
}

export type ParseResult =
  | { ok: true; message: SipMessage; warnings: string[] }
  /** status: the answer a request deserves when `partial` allows one (400 unless said, 505 for a SIP version). */
  | { ok: false; error: string; partial?: PartialRequest; keepalive?: boolean; status?: number };

class ParseFailure extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const REQUIRED_HEADERS = ["via", "from", "to", "call-id", "cseq"];
const CRLF2 = Buffer.from("\r\n\r\n");

export function parseMessage(data: Buffer | string, limits: Partial<ParseLimits> = {}): ParseResult {
  const lim = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const partialRef: { partial?: PartialRequest } = {};
  try {
    return parseOrThrow(buf, lim, partialRef);
  } catch (err) {
    const error = err instanceof ParseFailure ? err.message : `internal parser error: ${(err as Error)?.message ?? err}`;
    const status = err instanceof ParseFailure ? err.status : undefined;
    return { ok: false, error, partial: partialRef.partial, ...(status ? { status } : {}) };
  }
}

function bad(message: string, status?: number): never {
  throw new ParseFailure(message, status);
}

/** Quoted strings whose only NULs are quoted-pairs (RFC 3261 25.1: quoted-pair = "\\" %x00-09 / ...). */
const QUOTED_STRING_RE = /"(?:[^"\\\0\r\n]|\\[^\r\n])*"/g;

/** A NUL is legal in a message head only as an escaped character inside a quoted string. */
function hasIllegalNul(head: string): boolean {
  return head.includes("\0") && head.replace(QUOTED_STRING_RE, "").includes("\0");
}

function parseOrThrow(buf: Buffer, lim: ParseLimits, partialRef: { partial?: PartialRequest }): ParseResult {
  if (buf.length > lim.maxMessageBytes) bad(`message too large (${buf.length} > ${lim.maxMessageBytes} bytes)`);
  // RFC 3261 7.5: ignore CRLFs before the start line; a datagram of only CRLFs is a keep-alive.
  let start = 0;
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
  if (buf.subarray(start).every((b) => b === 0x0d || b === 0x0a || b === 0x20)) {
    return { ok: false, error: "keep-alive or empty datagram", keepalive: true };
  }
  const headEnd = buf.indexOf(CRLF2, start);
  let headText = buf.toString("utf8", start, headEnd < 0 ? buf.length : headEnd);
  // Without the blank line we still read the headers (a 400 needs them), then fail.
  if (headEnd < 0) headText = headText.replace(/(\r\n)+$/, "");
  if (hasIllegalNul(headText)) bad("NUL byte in message head");
  const lines = headText.split("\r\n");
  const startLine = lines[0];
  if (startLine.length > lim.maxLineLength) bad("start line too long");
  if (/[\r\n]/.test(startLine)) bad("bare CR or LF in start line");

  const headers = new SipHeaders();
  const isResponse = /^SIP\//i.test(startLine);
  let method = "";
  let uri = "";
  let status = 0;
  let reason = "";
  let startLineError: { error: string; status?: number } | undefined;
  if (isResponse) {
    const m = /^SIP\/2\.0 (\d{3})(?: (.*))?$/i.exec(startLine);
    if (!m) bad(/^SIP\/2\.0 /i.test(startLine) ? "invalid status line" : "unsupported SIP version");
    status = Number(m[1]);
    if (status < 100 || status > 699) bad(`status code out of range: ${status}`);
    reason = m[2] ?? "";
  } else {
    const parts = startLine.split(" ");
    if (parts.length !== 3 || parts.some((p) => p === "")) bad("request line must be METHOD SP Request-URI SP SIP/2.0 (single spaces)");
    [method, uri] = parts;
    if (!TOKEN_RE.test(method)) bad(`invalid method: ${method}`);
    partialRef.partial = { method, uri, headers };
    // A bad version or Request-URI is reported after the headers are read: the answer needs them.
    if (!/^SIP\/2\.0$/i.test(parts[2])) {
      startLineError = /^SIP\/\d+\.\d+$/i.test(parts[2])
        ? { error: `unsupported SIP version: ${parts[2]}`, status: 505 }
        : { error: `invalid SIP version: ${parts[2]}` };
    } else {
      const parsedUri = parseAnyUri(uri);
      if (!parsedUri.ok) startLineError = { error: `invalid Request-URI: ${parsedUri.error}` };
      else if (parsedUri.value.sip && parsedUri.value.sip.headers.size) startLineError = { error: "Request-URI must not contain headers" };
    }
  }

  readHeaderLines(lines, headers, lim);
  if (startLineError) bad(startLineError.error, startLineError.status);
  if (headEnd < 0) bad("missing blank line after headers");

  // Body and Content-Length (RFC 3261 18.3: larger than the datagram is an error; extra octets are discarded).
  const warnings: string[] = [];
  const bodyStart = headEnd + 4;
  const available = buf.length - bodyStart;
  let body = buf.subarray(bodyStart);
  const cl = headers.get("content-length");
  if (cl !== undefined) {
    if (!/^\d{1,10}$/.test(cl.trim())) bad(`invalid Content-Length: ${cl}`);
    const length = Number(cl.trim());
    if (length > available) bad(`Content-Length ${length} exceeds the ${available} body bytes received`);
    if (length < available) {
      warnings.push(`discarded ${available - length} octets after the body`);
      body = buf.subarray(bodyStart, bodyStart + length);
    }
  }

  validateHeaders(headers, isResponse ? undefined : method);
  if (isResponse) {
    const msg: SipResponse = { kind: "response", status, reason, headers, body };
    return { ok: true, message: msg, warnings };
  }
  const msg: SipRequest = { kind: "request", method, uri, headers, body };
  return { ok: true, message: msg, warnings };
}

function readHeaderLines(lines: string[], headers: SipHeaders, lim: ParseLimits): void {
  // Unfold continuation lines (RFC 3261 7.3.1) before splitting name and value.
  const logical: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > lim.maxLineLength) bad("header line too long");
    if (/[\r\n]/.test(line)) bad("bare CR or LF in header");
    if (line === "") bad("empty header line");
    if (line[0] === " " || line[0] === "\t") {
      if (!logical.length) bad("continuation line before the first header");
      logical[logical.length - 1] += " " + line.trim();
    } else {
      logical.push(line);
    }
    if (logical.length > lim.maxHeaders) bad(`too many headers (> ${lim.maxHeaders})`);
  }
  for (const line of logical) {
    const m = /^([A-Za-z0-9\-.!%*_+`'~]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) bad(`malformed header line: ${line.slice(0, 80)}`);
    const [, name, rawValue] = m;
    const value = rawValue.trim();
    if (LIST_HEADERS.has(headerKey(name)) && value !== "*") {
      const items = splitList(value);
      if (!items.ok) bad(`${name}: ${items.error}`);
      for (const item of items.value) headers.append(name, item);
    } else {
      headers.append(name, value);
    }
    if (headers.size > lim.maxHeaders) bad(`too many headers (> ${lim.maxHeaders})`);
  }
}

function validateHeaders(headers: SipHeaders, method: string | undefined): void {
  for (const name of REQUIRED_HEADERS) if (!headers.has(name)) bad(`missing ${name} header`);
  for (const name of SINGLE_HEADERS) if (headers.count(name) > 1) bad(`more than one ${name} header`);

  const cseq = parseCSeq(headers.get("cseq")!);
  if (!cseq.ok) bad(cseq.error);
  if (method !== undefined && cseq.value.method !== method) bad(`CSeq method ${cseq.value.method} does not match ${method}`);
  if (!headers.get("call-id")) bad("empty Call-ID");
  if (/\s/.test(headers.get("call-id")!)) bad("Call-ID contains whitespace");

  for (const via of headers.getAll("via")) {
    const parsed = parseVia(via);
    if (!parsed.ok) bad(parsed.error);
  }
  for (const name of ["from", "to"]) {
    const parsed = parseNameAddr(headers.get(name)!);
    if (!parsed.ok) bad(`invalid ${name === "from" ? "From" : "To"}: ${parsed.error}`);
  }
  for (const contact of headers.getAll("contact")) {
    if (contact === "*") continue;
    const parsed = parseNameAddr(contact);
    if (!parsed.ok) bad(`invalid Contact: ${parsed.error}`);
  }
  for (const name of ["route", "record-route"]) {
    for (const value of headers.getAll(name)) {
      const parsed = parseNameAddr(value);
      if (!parsed.ok) bad(`invalid ${name}: ${parsed.error}`);
    }
  }
  const maxForwards = headers.get("max-forwards");
  if (maxForwards !== undefined && (!/^\d{1,10}$/.test(maxForwards) || Number(maxForwards) > 255)) {
    bad(`invalid Max-Forwards: ${maxForwards}`);
  }
  const expires = headers.get("expires");
  if (expires !== undefined && (!/^\d{1,10}$/.test(expires) || Number(expires) > 0xffffffff)) {
    bad(`invalid Expires: ${expires}`);
  }
  const contentType = headers.get("content-type");
  if (contentType !== undefined && !/^[A-Za-z0-9\-.!%*_+`'~]+[ \t]*\/[ \t]*[A-Za-z0-9\-.!%*_+`'~]+/.test(contentType)) {
    bad(`invalid Content-Type: ${contentType}`);
  }
}
