// API tokens: `ivr_` + 32 random bytes, shown once, stored as sha256 with a name, an expiry and
// optionally a role lower than the owner's. The owner's current role always caps it (session.ts).
import type { PrismaClient, Role } from "../../../../prisma/generated/client/client";
import { ApiError, invalid, notFound, requiredString } from "../http";
import { newToken, sha256 } from "./crypto";
import { revokeAccess, roleAtLeast, type Auth } from "./session";

export const TOKEN_PREFIX = "ivr_";
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;
const ROLES: readonly Role[] = ["admin", "editor", "viewer"];

export interface TokenView {
  id: string;
  name: string;
  /** The role the token is limited to; null: its owner's role. */
  role: Role | null;
  createdAt: string;
  lastUsedAt: string | null;
  /** null only for tokens made before tokens had an expiry. */
  expiresAt: string | null;
  expired: boolean;
  owner?: { id: string; email: string; name: string };
}

export interface NewToken {
  name: string;
  role: Role | null;
  expiresAt: Date;
}

/** { name, expiresInDays? (1-366, default 90), role? (at most the creator's) } */
export function parseNewToken(body: Record<string, unknown>, creatorRole: Role, now = Date.now()): NewToken {
  const name = requiredString(body, "name", 200);
  const days = body.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
    throw invalid(`expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}.`);
  }
  let role: Role | null = null;
  if (body.role !== undefined && body.role !== null) {
    if (typeof body.role !== "string" || !ROLES.includes(body.role as Role)) throw invalid(`role must be one of ${ROLES.join(", ")}.`);
    role = body.role as Role;
    if (!roleAtLeast(creatorRole, role)) throw new ApiError(403, "forbidden", `A token cannot have more rights than its owner: you are ${creatorRole === "admin" ? "an" : "a"} ${creatorRole}.`);
    if (role === creatorRole) role = null;
  }
  return { name, role, expiresAt: new Date(now + days * DAY_MS) };
}

export async function createToken(prisma: PrismaClient, auth: Auth, input: NewToken): Promise<{ token: string; view: TokenView }> {
  // A token could otherwise mint a longer-lived or unlimited sibling of itself.
  if (auth.via !== "cookie") throw new ApiError(403, "forbidden", "API tokens are created by a signed-in person, not with another token.");
  const token = `${TOKEN_PREFIX}${newToken()}`;
  const row = await prisma.apiToken.create({ data: { name: input.name, role: input.role, expiresAt: input.expiresAt, userId: auth.user.id, tokenHash: sha256(token) } });
  return { token, view: tokenView(row) };
}

type Row = { id: string; name: string; role: Role | null; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; user?: { id: string; email: string; name: string } };

export function tokenView(r: Row, now = Date.now()): TokenView {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    expired: !!r.expiresAt && r.expiresAt.getTime() <= now,
    ...(r.user ? { owner: { id: r.user.id, email: r.user.email, name: r.user.name } } : {}),
  };
}

/** One user's tokens, or (userId undefined) everybody's with their owners. */
export async function listTokens(prisma: PrismaClient, userId: string | undefined): Promise<TokenView[]> {
  const rows = await prisma.apiToken.findMany({
    where: userId ? { userId } : {},
    orderBy: { createdAt: "desc" },
    include: userId ? undefined : { user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map((r) => tokenView(r));
}

/** Revoke: the owner's own token, or any token for an admin. Answers what was revoked. */
export async function revokeToken(prisma: PrismaClient, auth: Auth, id: string): Promise<{ id: string; name: string; owner: { id: string; email: string } }> {
  const row = await prisma.apiToken.findUnique({ where: { id }, include: { user: { select: { id: true, email: true } } } });
  if (!row || (row.userId !== auth.user.id && auth.user.role !== "admin")) throw notFound("That API token");
  await prisma.apiToken.deleteMany({ where: { id } });
  revokeAccess({ userId: row.userId, credentialId: id });
  return { id, name: row.name, owner: row.user };
}
