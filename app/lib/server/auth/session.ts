// Who is calling: a session cookie (browser) or a Bearer API token (scripts, CI), and the
// checks every route makes (role, and for cookie-authenticated writes, same-origin).
import type { PrismaClient, Role } from "../../../../prisma/generated/client/client";
import { getPrisma } from "../db/client";
import { ApiError } from "../http";
import { isAllowedHost } from "../hosts";
import { newToken, sha256 } from "./crypto";

export const SESSION_COOKIE = "ivr_session";
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Auth {
  user: PublicUser;
  via: "cookie" | "token";
  /** An admin set a temporary password: until it is changed, only the password change is open. */
  mustChangePassword: boolean;
  /** The session row (cookie) or the API token (token) the caller came with. */
  credentialId: string;
  tokenName?: string;
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** The lower of two roles: what a token limited to `cap` may do for a user holding `role`. */
export const lowerRole = (role: Role, cap: Role | null | undefined): Role => (cap && RANK[cap] < RANK[role] ? cap : role);
export const roleAtLeast = (role: Role, min: Role): boolean => RANK[role] >= RANK[min];

export const publicUser = (u: PublicUser): PublicUser => ({ id: u.id, email: u.email, name: u.name, role: u.role });

export async function createSession(prisma: PrismaClient, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await prisma.session.create({ data: { tokenHash: sha256(token), userId, expiresAt } });
  // Sweep expired sessions now and then instead of running a timer.
  if (Math.random() < 0.05) {
    await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    await prisma.passwordReset.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  }
  return { token, expiresAt };
}

const isHttps = (req: Request) => new URL(req.url).protocol === "https:";

export function sessionCookie(req: Request, token: string, expiresAt: Date): string {
  const parts = [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${expiresAt.toUTCString()}`, `Max-Age=${Math.floor(SESSION_TTL_MS / 1000)}`];
  if (isHttps(req)) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(req: Request): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${isHttps(req) ? "; Secure" : ""}`;
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

type Resolved = Auth | { refused: string } | null;

/**
 * The caller from the request's token or cookie; { refused } says why a credential that was
 * sent does not work (expired, account disabled) so the 401 can say so.
 */
async function resolveCaller(req: Request): Promise<Resolved> {
  const prisma = await getPrisma();
  const now = Date.now();
  const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    const token = await prisma.apiToken.findUnique({ where: { tokenHash: sha256(bearer) }, include: { user: true } });
    if (!token) return { refused: "That API token is not valid (unknown or revoked)." };
    if (token.expiresAt && token.expiresAt.getTime() <= now) return { refused: `That API token expired at ${token.expiresAt.toISOString()}; create a new one.` };
    if (token.user.disabledAt) return { refused: "That API token's account is disabled." };
    // Best-effort bookkeeping, at most once a minute per token.
    if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > 60_000) {
      await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date(now) } }).catch(() => {});
    }
    // A token acts with its owner's current role, or the lower role it was limited to: never more.
    const user = { ...publicUser(token.user), role: lowerRole(token.user.role, token.role) };
    return { user, via: "token", mustChangePassword: false, credentialId: token.id, tokenName: token.name };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return null;
  const session = await prisma.session.findUnique({ where: { tokenHash: sha256(cookie) }, include: { user: true } });
  if (!session || session.expiresAt.getTime() <= now) return null;
  if (session.user.disabledAt) return { refused: "This account is disabled; ask an admin." };
  return { user: publicUser(session.user), via: "cookie", mustChangePassword: session.user.mustChangePassword, credentialId: session.id };
}

/** The caller, or null when anonymous (or the cookie/token is unknown, expired, or its account disabled). */
export async function authenticate(req: Request): Promise<Auth | null> {
  const r = await resolveCaller(req);
  return r && "user" in r ? r : null;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF guard for cookie-authenticated writes: the browser's Origin must be this server, i.e. an
 * origin on the Host allow-list (loopback or IVR_PUBLIC_URL) *and* the Host the request was
 * sent to. The Host header alone proves nothing: under DNS rebinding the attacker's page sends
 * its own name in both Origin and Host, and they match.
 * (SameSite=Lax already keeps the cookie off cross-site POSTs; this also covers same-site
 * subdomains and old browsers.) Token-authenticated calls carry no ambient credential.
 */
export function checkSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const host = req.headers.get("host") ?? new URL(req.url).host;
  if (origin) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = "";
    }
    if (originHost === host && isAllowedHost(originHost)) return;
    throw new ApiError(403, "forbidden", `Cross-site request refused: Origin ${origin} is not this server's origin.`);
  }
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin" && isAllowedHost(host)) return;
  throw new ApiError(403, "forbidden", "Cross-site request refused: a browser write must carry an Origin header matching this server. Scripts should use an API token.");
}

export type MinRole = "viewer" | "editor" | "admin";

/**
 * The authenticated caller with at least `role`; 401/403 otherwise. Writes with a cookie must be
 * same-origin. A user with a temporary password may do nothing but change it (passwordChange).
 */
export async function requireUser(req: Request, role: MinRole = "viewer", options: { passwordChange?: boolean } = {}): Promise<Auth> {
  const r = await resolveCaller(req);
  if (!r || !("user" in r)) {
    throw new ApiError(401, "unauthenticated", r?.refused ?? "Sign in first (or send an API token as Authorization: Bearer <token>).");
  }
  const auth = r;
  if (auth.via === "cookie" && MUTATING.has(req.method)) checkSameOrigin(req);
  if (auth.mustChangePassword && !options.passwordChange) {
    throw new ApiError(403, "password_change_required", "An admin set a temporary password for this account: choose a new password first.");
  }
  if (!roleAtLeast(auth.user.role, role)) {
    throw new ApiError(403, "forbidden", `This needs the ${role} role; you are ${auth.user.role === "admin" ? "an" : "a"} ${auth.user.role}.`);
  }
  return auth;
}

/** For anonymous writes (login, setup): refuse a foreign Origin when one is sent. */
export function refuseForeignOrigin(req: Request): void {
  if (req.headers.get("origin") || req.headers.get("sec-fetch-site") === "cross-site") checkSameOrigin(req);
}

// Long-lived answers (event streams, WebSockets) outlive the request that authenticated them.
// They watch here and end when their credential stops working (account disabled or deleted,
// role changed, password reset, token revoked); the client then reconnects and is checked anew.
// One registry per process (globalThis), whichever bundle loads this module.
type Revocation = { userId: string; credentialId?: string; keepCredentialId?: string };
const WATCHERS = Symbol.for("ivr-studio.access-watchers");
type WatchHolder = { [WATCHERS]?: Set<{ auth: Auth; onRevoked: () => void }> };
const watchers = () => ((globalThis as WatchHolder)[WATCHERS] ??= new Set());

/** Call onRevoked (once) when `auth`'s access is revoked; answers the function that stops watching. */
export function watchAccess(auth: Auth, onRevoked: () => void): () => void {
  const entry = { auth, onRevoked };
  watchers().add(entry);
  return () => void watchers().delete(entry);
}

/**
 * Say that access changed: every credential of `userId` (or only `credentialId`; or all but
 * `keepCredentialId`, the session that changed its own password) loses its long-lived answers.
 */
export function revokeAccess(r: Revocation): void {
  for (const entry of [...watchers()]) {
    const { user, credentialId } = entry.auth;
    if (user.id !== r.userId) continue;
    if (r.credentialId && credentialId !== r.credentialId) continue;
    if (r.keepCredentialId && credentialId === r.keepCredentialId) continue;
    watchers().delete(entry);
    entry.onRevoked();
  }
}
