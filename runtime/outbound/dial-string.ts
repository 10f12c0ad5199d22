// Dial strings as FreeSWITCH reads them (switch_ivr_originate in src/switch_ivr_originate.c,
// switch_event_create_brackets in src/switch_event.c). Pure: no I/O, no configuration.
//
//   <ultra=1>{global=1,other='a,b'}[leg=1]sofia/gateway/gw/123,user/1000|error/user_busy
//
// `|` separates groups tried one after another (failover); `,` separates the legs of a group,
// rung at the same time (first answer wins). Note that this is the opposite of what the two
// characters suggest to many readers: FreeSWITCH splits on '|' first (or_argc, the outer loop)
// and then on ',' (and_argc, the legs launched together).
// `{...}` and `<...>` set variables for every leg; `[...]` before a leg sets that leg's own.
import { nameToCause, type HangupCause } from "../../flow/hangup-causes";

/** Variables in the order they were given; a later assignment of the same name wins. */
export type DialVars = Map<string, string>;

export type Endpoint =
  /** sofia/gateway/NAME/NUMBER: through a configured gateway (ITSP, PBX trunk). */
  | { kind: "gateway"; gateway: string; number: string; params: string }
  /** user/NUMBER[@DOMAIN]: a local user where it registered. */
  | { kind: "user"; user: string; domain: string | undefined }
  /** sofia/PROFILE/USER@HOST[:PORT] or sofia/PROFILE/sip:USER@HOST: straight to a host. */
  | { kind: "sip"; profile: string; user: string; host: string; port: number | undefined }
  /** sofia/PROFILE/USER or sofia/PROFILE/USER%DOMAIN: a user registered on that profile. */
  | { kind: "registered"; profile: string; user: string; domain: string | undefined }
  /** error/CAUSE: fails at once with that cause (mod_dptools' error endpoint). */
  | { kind: "error"; cause: HangupCause }
  /** Anything else (loopback/, freetdm/, a typo...): FreeSWITCH answers CHAN_NOT_IMPLEMENTED. */
  | { kind: "unsupported"; tech: string; data: string; reason: string };

export interface DialLeg {
  /** The leg as written, after its [..] prefixes (for logs). */
  text: string;
  /** [var=val] of this leg (a {..} variable of the same name wins: see legVariables). */
  vars: DialVars;
  endpoint: Endpoint;
}

export interface DialString {
  /** {..} and <..> variables: every leg gets them. */
  vars: DialVars;
  /** Groups separated by '|', tried in order until one succeeds; each holds the legs rung together. */
  groups: DialLeg[][];
}

export type DialParse = { ok: true; dial: DialString } | { ok: false; error: string };

/** FreeSWITCH's SWITCH_ENT_ORIGINATE_DELIM: several originates in parallel. */
const ENTERPRISE_DELIM = ":_:";

/** Index of the bracket closing the one at `start` (nesting counted, quotes respected). */
function findClose(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

/**
 * Split at `delim` outside single quotes, brackets and backslash escapes (the pieces keep their
 * quotes and brackets; a variable list unquotes its own values).
 */
function splitTop(s: string, delim: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === "[" || c === "{" || c === "<") depth++;
    else if ((c === "]" || c === "}" || c === ">") && depth > 0) depth--;
    else if (c === delim && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** Remove single quotes that group text and resolve backslash escapes (switch_separate_string's cleanup). */
function unquote(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length) out += s[++i];
    else if (c !== "'") out += c;
  }
  return out;
}

/**
 * The inside of one {..}, [..] or <..>: "a=1,b='x,y'" (or "^^;a=1;b=x,y" with another
 * separator). An item without '=' is ignored, as FreeSWITCH does; "a=b=c" sets a to "b=c".
 */
export function parseVarList(body: string, into: DialVars = new Map()): DialVars {
  let sep = ",";
  let text = body;
  if (text.startsWith("^^") && text.length >= 3) {
    sep = text[2];
    text = text.slice(3);
  }
  for (const item of splitTop(text, sep)) {
    const eq = item.indexOf("=");
    if (eq <= 0) continue;
    const name = unquote(item.slice(0, eq)).trim();
    if (!name) continue;
    into.set(name, unquote(item.slice(eq + 1)));
  }
  return into;
}

/** Leading variable blocks `{..}{..}` (or `<..>`, `[..]`): the variables and the rest of the text. */
function takeBlocks(text: string, open: string, close: string, vars: DialVars): { rest: string } | { error: string } {
  let rest = text.replace(/^ +/, "");
  while (rest.startsWith(open)) {
    const end = findClose(rest, 0, open, close);
    if (end < 0) return { error: `unclosed '${open}' in the dial string` };
    parseVarList(rest.slice(1, end), vars);
    rest = rest.slice(end + 1).replace(/^ +/, "");
  }
  return { rest };
}

const PORT_RE = /^\d{1,5}$/;

/** One leg's `tech/data` (after its [..] prefixes). */
export function parseEndpoint(text: string): Endpoint {
  const slash = text.indexOf("/");
  if (slash < 0) return { kind: "unsupported", tech: text, data: "", reason: "no channel type (expected tech/data)" };
  const tech = text.slice(0, slash).toLowerCase();
  const data = text.slice(slash + 1);
  switch (tech) {
    case "user": {
      const at = data.indexOf("@");
      const user = at < 0 ? data : data.slice(0, at);
      if (!user) return { kind: "unsupported", tech, data, reason: "user/ needs a user" };
      return { kind: "user", user, domain: at < 0 ? undefined : data.slice(at + 1) || undefined };
    }
    case "error":
      return { kind: "error", cause: data === "" || /^(none|0)$/i.test(data) ? "DESTINATION_OUT_OF_ORDER" : nameToCause(data) };
    case "sofia":
      return parseSofia(data);
    default:
      return { kind: "unsupported", tech, data, reason: `channel type '${tech}' is not available on this runtime` };
  }
}

/** sofia/gateway/NAME/NUMBER[;params] or sofia/PROFILE/DEST (mod_sofia's sofia_outgoing_channel). */
function parseSofia(data: string): Endpoint {
  const bad = (reason: string): Endpoint => ({ kind: "unsupported", tech: "sofia", data, reason });
  const slash = data.indexOf("/");
  if (slash < 0) return bad("expected sofia/PROFILE/DEST or sofia/gateway/NAME/NUMBER");
  const first = data.slice(0, slash);
  const rest = data.slice(slash + 1);
  if (first.toLowerCase() === "gateway") {
    const s2 = rest.indexOf("/");
    if (s2 <= 0) return bad("expected sofia/gateway/NAME/NUMBER");
    const gateway = rest.slice(0, s2);
    let number = rest.slice(s2 + 1);
    let params = "";
    const semi = number.indexOf(";");
    if (semi >= 0) {
      params = number.slice(semi + 1);
      number = number.slice(0, semi);
    }
    if (!number) return bad("sofia/gateway/NAME/ needs a number");
    return { kind: "gateway", gateway, number, params };
  }
  if (!first) return bad("empty profile name");
  let dest = rest;
  const scheme = /^sips?:/i.exec(dest);
  if (scheme) dest = dest.slice(scheme[0].length);
  const at = dest.indexOf("@");
  if (at < 0) {
    if (scheme) return bad("a sip: URI needs user@host");
    const pct = dest.indexOf("%");
    const user = pct < 0 ? dest : dest.slice(0, pct);
    if (!user) return bad("empty user");
    return { kind: "registered", profile: first, user, domain: pct < 0 ? undefined : dest.slice(pct + 1) || undefined };
  }
  const user = dest.slice(0, at);
  // URI parameters and headers (;transport=..., ?X=...) could steer the call elsewhere: not accepted.
  const hostPart = dest.slice(at + 1);
  if (/[;?]/.test(hostPart)) return bad("URI parameters are not accepted in a dial string");
  const colon = hostPart.lastIndexOf(":");
  let host = hostPart;
  let port: number | undefined;
  if (colon > 0 && !hostPart.includes("]")) {
    const p = hostPart.slice(colon + 1);
    if (!PORT_RE.test(p) || Number(p) < 1 || Number(p) > 65535) return bad(`bad port '${p}'`);
    host = hostPart.slice(0, colon);
    port = Number(p);
  }
  if (!user || !host) return bad("expected USER@HOST");
  return { kind: "sip", profile: first, user, host: host.toLowerCase(), port };
}

/** Parse a whole dial string. Errors are plain sentences for the log. */
export function parseDialString(input: string): DialParse {
  if (typeof input !== "string") return { ok: false, error: "the dial string is not a string" };
  if (input.length > 8192) return { ok: false, error: "the dial string is too long" };
  if (input.includes(ENTERPRISE_DELIM)) return { ok: false, error: "enterprise originate (:_:) is not supported" };
  const vars: DialVars = new Map();
  let t = takeBlocks(input, "<", ">", vars);
  if ("error" in t) return { ok: false, error: t.error };
  t = takeBlocks(t.rest, "{", "}", vars);
  if ("error" in t) return { ok: false, error: t.error };
  const body = t.rest.trim();
  if (!body) return { ok: false, error: "No origination URL specified!" };
  const groups: DialLeg[][] = [];
  for (const groupText of splitTop(body, "|")) {
    const legs: DialLeg[] = [];
    for (const raw of splitTop(groupText, ",")) {
      const legVars: DialVars = new Map();
      const lt = takeBlocks(raw, "[", "]", legVars);
      if ("error" in lt) return { ok: false, error: lt.error };
      const text = lt.rest.trim();
      if (!text) return { ok: false, error: "Empty dial string" };
      legs.push({ text, vars: legVars, endpoint: parseEndpoint(text) });
    }
    groups.push(legs);
  }
  return { ok: true, dial: { vars, groups } };
}

/** switch_true: "yes", "on", "true", "t", "enabled", "active", "allow" or a non-zero number. */
export function isTrue(v: string | undefined | null): boolean {
  if (v === undefined || v === null) return false;
  const s = v.trim().toLowerCase();
  if (["yes", "on", "true", "t", "enabled", "active", "allow"].includes(s)) return true;
  return /^-?\d+$/.test(s) && Number(s) !== 0;
}

/**
 * The variables a leg's channel ends up with. FreeSWITCH copies the leg's [..] variables first
 * and the {..} ones after them, so a {..} variable wins unless local_var_clobber=true is given
 * in {..} (then the [..] ones are copied last and win).
 */
export function legVariables(dial: DialString, leg: DialLeg): DialVars {
  const localWins = isTrue(dial.vars.get("local_var_clobber"));
  const first = localWins ? dial.vars : leg.vars;
  const last = localWins ? leg.vars : dial.vars;
  return new Map([...first, ...last]);
}
