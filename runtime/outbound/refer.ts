// The toll-fraud guard for SIP REFER, both ways. A REFER makes the other side place a call: out
// of the runtime (a flow's blind transfer) that side may be our carrier trunk, and into it (an
// agent's phone transfers the caller onward) it is our caller who moves. Neither may reach a
// destination a Bridge could not:
// - out: the Refer-To must come back to us (any user at our address: our routes decide), or be a
//   configured gateway's host with a number in its allow-list;
// - in: the Refer-To must name an extension routed here (FreeSWITCH transfers the caller to the
//   Refer-To user in its dialplan), at our address; any other host is refused.
import { parseNameAddr, parseSipUri, type SipUri } from "../sip/grammar";
import type { Destinations } from "./destinations";

export type ReferCheck = { ok: true; uri: SipUri } | { ok: false; reason: string };

/** A Refer-To value (name-addr or bare URI) -> its SIP URI, without headers or line breaks. */
export function parseReferTarget(value: string): ReferCheck {
  const v = value.trim();
  if (/[\r\n\0]/.test(v) || v.length > 1024) return { ok: false, reason: "malformed Refer-To" };
  const na = v.includes("<") ? parseNameAddr(v) : undefined;
  const raw = na ? (na.ok ? na.value.uri.raw : "") : v.split(";")[0];
  const uri = parseSipUri(raw);
  if (!uri.ok || uri.value.scheme !== "sip") return { ok: false, reason: `'${raw.slice(0, 100)}' is not a sip: URI` };
  // ?Replaces= and other embedded headers would make the far side build a different request.
  if (uri.value.headers.size) return { ok: false, reason: "URI headers are not accepted in Refer-To" };
  if (!uri.value.user) return { ok: false, reason: "the Refer-To names no user" };
  return { ok: true, uri: uri.value };
}

const isOurs = (uri: SipUri, ours: { hosts: string[]; port: number }) =>
  ours.hosts.includes(uri.host.toLowerCase()) && (uri.port ?? 5060) === ours.port;

/** Our blind transfer out: why the target is refused, or undefined when it may be REFERred. */
export function outgoingReferRefusal(target: string, ours: { hosts: string[]; port: number }, destinations?: Destinations): string | undefined {
  const t = parseReferTarget(target);
  if (!t.ok) return t.reason;
  if (isOurs(t.uri, ours)) return undefined;
  const r = destinations?.resolve({ kind: "sip", profile: "external", user: t.uri.user!, host: t.uri.host.toLowerCase(), port: t.uri.port });
  if (!r) return `${t.uri.host} is not a configured gateway host`;
  return r.ok ? undefined : r.reason;
}

export type IncomingReferTarget =
  /** An extension routed here: the caller is transferred into our dialplan (as FreeSWITCH does). */
  | { ok: true; extension: string }
  /** A destination a Bridge may dial (a local user, a gateway number): the caller is bridged to it. */
  | { ok: true; dial: string; extension: string }
  | { ok: false; status: number; reason: string };

/**
 * An agent's REFER into a bridge: at our address, an extension routed here, else a local user
 * (user/EXT); at a configured gateway's host, a number in its allow-list. Anything else is refused.
 */
export function incomingReferTarget(
  referTo: string,
  ours: { hosts: string[]; port: number },
  routed: (extension: string) => boolean,
  destinations: Destinations,
): IncomingReferTarget {
  const t = parseReferTarget(referTo);
  if (!t.ok) return { ok: false, status: 400, reason: t.reason };
  let user: string;
  try {
    user = decodeURIComponent(t.uri.user!);
  } catch {
    return { ok: false, status: 400, reason: "malformed user in Refer-To" };
  }
  if (!/^[A-Za-z0-9+*#._~-]{1,64}$/.test(user)) return { ok: false, status: 400, reason: "the Refer-To user is not a dialable number" };
  if (isOurs(t.uri, ours)) {
    if (routed(user)) return { ok: true, extension: user };
    if (destinations.user(user)) return { ok: true, dial: `user/${user}`, extension: user };
    return { ok: false, status: 404, reason: `no route or SIP user ${user}` };
  }
  const host = t.uri.host.toLowerCase();
  const r = destinations.resolve({ kind: "sip", profile: "external", user, host, port: t.uri.port });
  if (!r.ok) return { ok: false, status: 403, reason: r.reason };
  return { ok: true, dial: `sofia/external/${user}@${host}${t.uri.port ? `:${t.uri.port}` : ""}`, extension: user };
}
