// Parsers for the structured SIP header values we rely on (RFC 3261 section 25):
// URIs, name-addr/addr-spec with parameters, Via, CSeq, and comma-list splitting.
// Every function returns a Result; none throws.

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T>(error: string): Result<T> => ({ ok: false, error });

/** RFC 3261 token characters. */
export const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const HOSTNAME_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const IPV4_RE = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_REF_RE = /^\[[0-9A-Fa-f:.]+\]$/;
/** Characters allowed in URI user/params/headers (unreserved, escaped and the sets RFC 3261 permits). */
const URI_CHARS_RE = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/:\[\]]|%[0-9A-Fa-f]{2})*$/;

export type Params = Map<string, string | null>;

export interface SipUri {
  scheme: "sip" | "sips";
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  headers: Map<string, string>;
}

/** Any absolute URI; `sip` is filled when the scheme is sip or sips. */
export interface AnyUri {
  scheme: string;
  raw: string;
  sip?: SipUri;
}

export function isValidHost(host: string): boolean {
  return IPV4_RE.test(host) || IPV6_REF_RE.test(host) || HOSTNAME_RE.test(host);
}

export function isIPv4(host: string): boolean {
  return IPV4_RE.test(host);
}

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** host[:port] with an optional IPv6 reference. */
export function parseHostPort(text: string): Result<{ host: string; port?: number }> {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0) return fail("unterminated IPv6 reference");
    host = text.slice(0, end + 1);
    const rest = text.slice(end + 1);
    if (rest && !rest.startsWith(":")) return fail(`junk after host: ${rest}`);
    portText = rest ? rest.slice(1) : undefined;
  } else {
    const colon = text.indexOf(":");
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
  }
  if (!isValidHost(host)) return fail(`invalid host: ${host}`);
  if (portText === undefined) return ok({ host });
  const port = parsePort(portText);
  if (port === null) return fail(`invalid port: ${portText}`);
  return ok({ host, port });
}

function parseUriParams(text: string): Result<Params> {
  const params: Params = new Map();
  if (!text) return ok(params);
  for (const part of text.split(";")) {
    if (!part) return fail("empty URI parameter");
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (!name || !URI_CHARS_RE.test(name)) return fail(`invalid URI parameter name: ${name}`);
    if (value !== null && (!value || !URI_CHARS_RE.test(value))) return fail(`invalid URI parameter value: ${part}`);
    params.set(name.toLowerCase(), value);
  }
  return ok(params);
}

/** sip: / sips: URI (RFC 3261 19.1). */
export function parseSipUri(text: string): Result<SipUri> {
  const first = parseSipUriWith(text, false);
  if (first.ok) return first;
  // '?' is also legal inside the user part (RFC 4475 3.1.1.2): headers then start after the '@'.
  const second = parseSipUriWith(text, true);
  return second.ok ? second : first;
}

function parseSipUriWith(text: string, headersAfterUser: boolean): Result<SipUri> {
  const m = /^(sips?):(.*)$/i.exec(text);
  if (!m) return fail(`not a sip URI: ${text}`);
  const scheme = m[1].toLowerCase() as "sip" | "sips";
  let rest = m[2];
  if (/[\s<>"]/.test(rest)) return fail("URI contains whitespace, quotes or angle brackets");
  const headers = new Map<string, string>();
  const q = rest.indexOf("?", headersAfterUser ? rest.indexOf("@") + 1 : 0);
  if (q >= 0) {
    const headerText = rest.slice(q + 1);
    rest = rest.slice(0, q);
    for (const h of headerText.split("&")) {
      const eq = h.indexOf("=");
      if (eq <= 0 || !URI_CHARS_RE.test(h)) return fail(`invalid URI header: ${h}`);
      headers.set(h.slice(0, eq), h.slice(eq + 1));
    }
  }
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!userinfo) return fail("empty user part");
    if (!URI_CHARS_RE.test(userinfo)) return fail(`invalid characters in user part: ${userinfo}`);
    const colon = userinfo.indexOf(":");
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    password = colon < 0 ? undefined : userinfo.slice(colon + 1);
  }
  const semi = rest.indexOf(";");
  const hostPortText = semi < 0 ? rest : rest.slice(0, semi);
  const hostPort = parseHostPort(hostPortText);
  if (!hostPort.ok) return hostPort;
  const params = parseUriParams(semi < 0 ? "" : rest.slice(semi + 1));
  if (!params.ok) return params;
  return ok({ scheme, user, password, host: hostPort.value.host, port: hostPort.value.port, params: params.value, headers });
}

/** Any absolute URI: scheme ":" non-space text; sip/sips are parsed strictly. */
export function parseAnyUri(text: string): Result<AnyUri> {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(\S+)$/.exec(text);
  if (!m) return fail(`invalid URI: ${text}`);
  const scheme = m[1].toLowerCase();
  if (scheme === "sip" || scheme === "sips") {
    const sip = parseSipUri(text);
    if (!sip.ok) return sip;
    return ok({ scheme, raw: text, sip: sip.value });
  }
  if (/[<>"]/.test(m[2])) return fail("URI contains quotes or angle brackets");
  return ok({ scheme, raw: text });
}

export function formatSipUri(uri: SipUri): string {
  let s = `${uri.scheme}:`;
  if (uri.user !== undefined) s += uri.password !== undefined ? `${uri.user}:${uri.password}@` : `${uri.user}@`;
  s += uri.host;
  if (uri.port !== undefined) s += `:${uri.port}`;
  for (const [k, v] of uri.params) s += v === null ? `;${k}` : `;${k}=${v}`;
  if (uri.headers.size) s += "?" + [...uri.headers].map(([k, v]) => `${k}=${v}`).join("&");
  return s;
}

/** Read a quoted-string starting at text[start] === '"'; returns the unescaped content and end index. */
function readQuoted(text: string, start: number): Result<{ content: string; end: number }> {
  let content = "";
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") {
      if (i + 1 >= text.length) break;
      content += text[++i];
    } else if (ch === '"') {
      return ok({ content, end: i + 1 });
    } else {
      content += ch;
    }
  }
  return fail("unterminated quoted string");
}

/** Split a header value on top-level commas (not inside quotes or <...>). */
export function splitList(value: string): Result<string[]> {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "<") depth++;
    else if (ch === ">") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth === 0) {
      items.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (quoted) return fail("unterminated quoted string");
  items.push(value.slice(start).trim());
  if (items.some((item) => item === "")) return fail("empty element in header list");
  return ok(items);
}

/** ;name[=value] parameters after a header value; values may be tokens, hosts or quoted strings. */
export function parseHeaderParams(text: string): Result<Params> {
  const params: Params = new Map();
  let i = 0;
  const skipWs = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  skipWs();
  while (i < text.length) {
    if (text[i] !== ";") return fail(`expected ';' in parameters: ${text}`);
    i++;
    skipWs();
    const nameMatch = /^[A-Za-z0-9\-.!%*_+`'~]+/.exec(text.slice(i));
    if (!nameMatch) return fail(`invalid parameter name in: ${text}`);
    const name = nameMatch[0].toLowerCase();
    i += nameMatch[0].length;
    skipWs();
    let value: string | null = null;
    if (text[i] === "=") {
      i++;
      skipWs();
      if (text[i] === '"') {
        const q = readQuoted(text, i);
        if (!q.ok) return q;
        value = q.value.content;
        i = q.value.end;
      } else {
        const valueMatch = /^[A-Za-z0-9\-.!%*_+`'~:\[\]]+/.exec(text.slice(i));
        if (!valueMatch) return fail(`invalid value for parameter ${name}`);
        value = valueMatch[0];
        i += valueMatch[0].length;
      }
    }
    if (params.has(name)) return fail(`duplicate parameter ${name}`);
    params.set(name, value);
    skipWs();
  }
  return ok(params);
}

export interface NameAddr {
  displayName?: string;
  uri: AnyUri;
  params: Params;
  tag?: string;
}

/** name-addr or addr-spec followed by header parameters (From, To, Contact, Route...). */
export function parseNameAddr(value: string): Result<NameAddr> {
  const text = value.trim();
  let displayName: string | undefined;
  let uriText: string;
  let rest: string;
  let i = 0;
  if (text.startsWith('"')) {
    const q = readQuoted(text, 0);
    if (!q.ok) return q;
    displayName = q.value.content;
    i = q.value.end;
    while (text[i] === " " || text[i] === "\t") i++;
    if (text[i] !== "<") return fail("quoted display name must be followed by <URI>");
  }
  const lt = text.indexOf("<", i);
  if (lt >= 0) {
    if (displayName === undefined) {
      const dn = text.slice(0, lt).trim();
      if (dn) {
        if (!dn.split(/[ \t]+/).every((word) => TOKEN_RE.test(word))) return fail(`invalid display name: ${dn}`);
        displayName = dn;
      }
    }
    const gt = text.indexOf(">", lt);
    if (gt < 0) return fail("missing '>' in name-addr");
    uriText = text.slice(lt + 1, gt);
    rest = text.slice(gt + 1);
  } else {
    // addr-spec form: the URI cannot carry parameters or headers; ';' starts header params.
    const semi = text.indexOf(";");
    uriText = (semi < 0 ? text : text.slice(0, semi)).trimEnd();
    rest = semi < 0 ? "" : text.slice(semi);
    if (/[\s,?]/.test(uriText)) return fail(`addr-spec must be enclosed in <> here: ${uriText}`);
  }
  const uri = parseAnyUri(uriText);
  if (!uri.ok) return uri;
  const params = parseHeaderParams(rest);
  if (!params.ok) return params;
  const tag = params.value.get("tag");
  if (tag === null || (tag !== undefined && !TOKEN_RE.test(tag))) return fail("invalid tag parameter");
  return ok({ displayName, uri: uri.value, params: params.value, tag: tag ?? undefined });
}

export function formatNameAddr(addr: { displayName?: string; uri: string; params?: Params }): string {
  let s = addr.displayName !== undefined ? `"${addr.displayName.replace(/["\\]/g, (c) => "\\" + c)}" <${addr.uri}>` : `<${addr.uri}>`;
  for (const [k, v] of addr.params ?? []) s += v === null ? `;${k}` : `;${k}=${v}`;
  return s;
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Params;
  branch?: string;
  received?: string;
  /** true when present without a value (RFC 3581 request), a number when filled. */
  rport?: number | true;
  maddr?: string;
}

/** Via: SIP/2.0/UDP host[:port];params (LWS allowed around '/' and ':'). */
export function parseVia(value: string): Result<Via> {
  const m = /^SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*([A-Za-z0-9\-.!%*_+`'~]+)[ \t]+([^;]+?)[ \t]*((?:;.*)?)$/i.exec(value.trim());
  if (!m) return fail(`invalid Via: ${value}`);
  const hostPort = parseHostPort(m[2].replace(/[ \t]*:[ \t]*/, ":"));
  if (!hostPort.ok) return fail(`invalid Via sent-by: ${hostPort.error}`);
  const params = parseHeaderParams(m[3]);
  if (!params.ok) return fail(`invalid Via parameters: ${params.error}`);
  const p = params.value;
  const rportRaw = p.get("rport");
  let rport: number | true | undefined;
  if (rportRaw === null) rport = true;
  else if (rportRaw !== undefined) {
    const port = parsePort(rportRaw);
    if (port === null) return fail("invalid rport");
    rport = port;
  }
  const branch = p.get("branch");
  const received = p.get("received");
  const maddr = p.get("maddr");
  if (branch === null || received === null || maddr === null) return fail("Via parameter without value");
  return ok({
    transport: m[1].toUpperCase(), host: hostPort.value.host, port: hostPort.value.port, params: p,
    branch: branch ?? undefined, received: received ?? undefined, rport, maddr: maddr ?? undefined,
  });
}

export function formatVia(via: Via): string {
  let s = `SIP/2.0/${via.transport} ${via.host}${via.port !== undefined ? `:${via.port}` : ""}`;
  for (const [k, v] of via.params) s += v === null ? `;${k}` : `;${k}=${v}`;
  return s;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): Result<CSeq> {
  const m = /^(\d{1,10})[ \t]+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value.trim());
  if (!m) return fail(`invalid CSeq: ${value}`);
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) return fail("CSeq number out of range");
  return ok({ seq, method: m[2] });
}
