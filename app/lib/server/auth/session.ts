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
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export const publicUser = (u: PublicUser): PublicUser => ({ id: u.id, email: u.email, name: u.name, role: u.role });

export async function createSession(prisma: PrismaClient, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await prisma.session.create({ data: { tokenHash: sha256(token), userId, expiresAt } });
  // Sweep expired sessions now and then instead of running a timer.
  if (Math.random() < 0.05) await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
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

/** The caller, or null when anonymous (or the cookie/token is unknown or expired). */
export async function authenticate(req: Request): Promise<Auth | null> {
  const prisma = await getPrisma();
  const bearer = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) {
    const token = await prisma.apiToken.findUnique({ where: { tokenHash: sha256(bearer) }, include: { user: true } });
    if (!token) return null;
    // Best-effort bookkeeping, at most once a minute per token.
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
    }
    return { user: publicUser(token.user), via: "token" };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return null;
  const session = await prisma.session.findUnique({ where: { tokenHash: sha256(cookie) }, include: { user: true } });
  if (!session || session.expiresAt.getTime() <= Date.now()) return null;
  return { user: publicUser(session.user), via: "cookie" };
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

/** The authenticated caller with at least `role`; 401/403 otherwise. Writes with a cookie must be same-origin. */
export async function requireUser(req: Request, role: MinRole = "viewer"): Promise<Auth> {
  const auth = await authenticate(req);
  if (!auth) throw new ApiError(401, "unauthenticated", "Sign in first (or send an API token as Authorization: Bearer <token>).");
  if (auth.via === "cookie" && MUTATING.has(req.method)) checkSameOrigin(req);
  if (RANK[auth.user.role] < RANK[role]) {
    throw new ApiError(403, "forbidden", `This needs the ${role} role; you are ${auth.user.role === "admin" ? "an" : "a"} ${auth.user.role}.`);
  }
  return auth;
}

/** For anonymous writes (login, setup): refuse a foreign Origin when one is sent. */
export function refuseForeignOrigin(req: Request): void {
  if (req.headers.get("origin") || req.headers.get("sec-fetch-site") === "cross-site") checkSameOrigin(req);
}
