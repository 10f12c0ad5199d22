// Who is on the other end of the socket. Route handlers cannot see the socket, so our custom
// server (server.mjs) passes the peer address in a header carrying a per-process secret; a
// client cannot forge it (it does not know the secret, and the server overwrites the header).
// X-Forwarded-For is never trusted. Under plain `next start` no secret exists: nobody is local.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isLoopbackHost } from "../hosts";

export const PEER_HEADER = "x-ivr-peer";
const KEY = Symbol.for("ivr-studio.peer-secret");
type Holder = { [KEY]?: string };

/** Called once by the custom server; returns the secret it must put in PEER_HEADER. */
export function peerSecret(): string {
  const g = globalThis as Holder;
  g[KEY] ??= randomBytes(24).toString("hex");
  return g[KEY];
}

/** The header value the server sets for a request from `address`. */
export const peerHeaderValue = (address: string): string => `${peerSecret()} ${address}`;

/** The verified socket address of the request, or undefined when unknown. */
export function peerAddress(req: Request): string | undefined {
  const secret = (globalThis as Holder)[KEY];
  const value = req.headers.get(PEER_HEADER);
  if (!secret || !value) return undefined;
  const [given, address] = value.split(" ", 2);
  const a = Buffer.from(given ?? "");
  const b = Buffer.from(secret);
  if (a.length !== b.length || !timingSafeEqual(a, b) || !address) return undefined;
  return address;
}

export function isLoopback(address: string): boolean {
  const a = address.replace(/^::ffff:/i, "");
  return a === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * From this machine, for a person at it: a loopback socket *and* a loopback Host. The socket
 * alone is not enough: a DNS-rebinding page in a local browser also connects over loopback, but
 * its Host is the attacker's name.
 */
export function isLocalRequest(req: Request): boolean {
  const address = peerAddress(req);
  return address !== undefined && isLoopback(address) && isLoopbackHost(req.headers.get("host"));
}
