// Accounts: creating them (setup and the admin's form), and what an admin does to them (role,
// disable, delete, temporary password, reset link) or a user to their own (change password).
// The rule throughout: at least one active admin remains.
import type { Prisma, PrismaClient, Role } from "../../../../prisma/generated/client/client";
import { recordAudit } from "../audit";
import { ApiError, invalid, notFound, optionalString, requiredString } from "../http";
import { hashPassword, MIN_PASSWORD_LENGTH, newToken, sha256, verifyPassword } from "./crypto";
import { publicUser, revokeAccess, type Auth, type PublicUser } from "./session";

const ROLES: readonly Role[] = ["admin", "editor", "viewer"];
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
  /** The password is an initial one the user must change at first sign-in. */
  mustChangePassword?: boolean;
}

export function parseNewUser(body: Record<string, unknown>, defaultRole: Role): NewUser {
  const email = requiredString(body, "email", 320).toLowerCase();
  if (!EMAIL_RE.test(email)) throw invalid(`"${email}" is not an email address.`);
  const name = requiredString(body, "name", 200);
  const password = optionalString(body, "password", 1000) ?? "";
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  const role = (optionalString(body, "role") ?? defaultRole) as Role;
  if (!ROLES.includes(role)) throw invalid(`role must be one of ${ROLES.join(", ")}.`);
  if (body.mustChangePassword !== undefined && typeof body.mustChangePassword !== "boolean") throw invalid("mustChangePassword must be true or false.");
  return { email, name, password, role, mustChangePassword: body.mustChangePassword === true };
}

export async function createUser(prisma: Pick<PrismaClient, "user">, u: NewUser): Promise<PublicUser> {
  const existing = await prisma.user.findUnique({ where: { email: u.email } });
  if (existing) throw new ApiError(409, "conflict", `A user with email ${u.email} already exists.`);
  const user = await prisma.user.create({
    data: { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password), mustChangePassword: u.mustChangePassword ?? false },
  });
  return publicUser(user);
}

export interface UserAdminView extends PublicUser {
  createdAt: string;
  disabled: boolean;
  disabledAt: string | null;
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  tokens: number;
}

type UserRow = PublicUser & { createdAt: Date; disabledAt: Date | null; mustChangePassword: boolean; lastLoginAt: Date | null; _count?: { apiTokens: number } };

/** What the admin's user list shows (never the password hash). */
export const adminView = (u: UserRow): UserAdminView => ({
  ...publicUser(u),
  createdAt: u.createdAt.toISOString(),
  disabled: !!u.disabledAt,
  disabledAt: u.disabledAt?.toISOString() ?? null,
  mustChangePassword: u.mustChangePassword,
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  tokens: u._count?.apiTokens ?? 0,
});

/** The password rule every new password meets (setup, new user, temporary, reset, change). */
export function checkNewPassword(password: unknown, field = "password"): string {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH) throw invalid(`${field} must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > 1000) throw invalid(`${field} is too long (at most 1000 characters).`);
  return password;
}

// Changes that could leave no active admin run one at a time (two admins demoting each other
// at once must not both succeed).
const ADMIN_LOCK_ID = 48151624;

type Tx = Prisma.TransactionClient;

async function findUser(tx: Tx, id: string) {
  const user = await tx.user.findUnique({ where: { id } });
  if (!user) throw notFound("That user");
  return user;
}

/** Refuse when `userId` is the only admin still able to sign in. */
async function keepAnAdmin(tx: Tx, user: { id: string; email: string; role: Role; disabledAt: Date | null }, what: string): Promise<void> {
  if (user.role !== "admin" || user.disabledAt) return;
  const others = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: user.id } } });
  if (others === 0) {
    throw new ApiError(409, "last_admin", `${user.email} is the last active admin, so they cannot be ${what}: make another user an admin first.`);
  }
}

export interface UserChange {
  role?: Role;
  disabled?: boolean;
  name?: string;
}

export function parseUserChange(body: Record<string, unknown>): UserChange {
  const change: UserChange = {};
  if (body.role !== undefined) {
    if (typeof body.role !== "string" || !ROLES.includes(body.role as Role)) throw invalid(`role must be one of ${ROLES.join(", ")}.`);
    change.role = body.role as Role;
  }
  if (body.disabled !== undefined) {
    if (typeof body.disabled !== "boolean") throw invalid("disabled must be true or false.");
    change.disabled = body.disabled;
  }
  if (body.name !== undefined) change.name = requiredString(body, "name", 200);
  if (!Object.keys(change).length) throw invalid("Send at least one of role, disabled, name.");
  return change;
}

/** Role, name, disabled: one transaction, one audit entry per change. Disabling ends the user's sessions. */
export async function updateUser(prisma: PrismaClient, actor: Auth, id: string, change: UserChange): Promise<UserAdminView> {
  let revoke = false;
  const view = await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADMIN_LOCK_ID})`);
    const user = await findUser(tx, id);
    const target = { type: "user", id, label: user.email };
    const data: Prisma.UserUpdateInput = {};
    if (change.disabled === true && !user.disabledAt) {
      await keepAnAdmin(tx, user, "disabled");
      if (id === actor.user.id) throw invalid("You cannot disable your own account; ask another admin.");
      data.disabledAt = new Date();
      revoke = true;
      await tx.session.deleteMany({ where: { userId: id } });
      await recordAudit(actor, { action: "user.disable", target }, tx);
    } else if (change.disabled === false && user.disabledAt) {
      data.disabledAt = null;
      await recordAudit(actor, { action: "user.enable", target }, tx);
    }
    if (change.role && change.role !== user.role) {
      if (change.role !== "admin") await keepAnAdmin(tx, user, `made ${change.role === "editor" ? "an" : "a"} ${change.role}`);
      data.role = change.role;
      revoke = true;
      await recordAudit(actor, { action: "user.role_change", target, details: { from: user.role, to: change.role } }, tx);
    }
    if (change.name && change.name !== user.name) {
      data.name = change.name;
      await recordAudit(actor, { action: "user.update", target, details: { name: { from: user.name, to: change.name } } }, tx);
    }
    const row = await tx.user.update({ where: { id }, data, include: { _count: { select: { apiTokens: true } } } });
    return adminView(row);
  });
  if (revoke) revokeAccess({ userId: id });
  return view;
}

/** Delete an account with its sessions, tokens and reset links; never yourself, never the last admin. */
export async function deleteUser(prisma: PrismaClient, actor: Auth, id: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${ADMIN_LOCK_ID})`);
    const user = await findUser(tx, id);
    await keepAnAdmin(tx, user, "deleted");
    if (id === actor.user.id) throw invalid("You cannot delete your own account; ask another admin.");
    await tx.user.delete({ where: { id } });
    await recordAudit(actor, { action: "user.delete", target: { type: "user", id, label: user.email }, details: { role: user.role, name: user.name } }, tx);
  });
  revokeAccess({ userId: id });
}

/** An admin sets a temporary password: the user must change it at next sign-in; their sessions end now. */
export async function setTemporaryPassword(prisma: PrismaClient, actor: Auth, id: string, password: string): Promise<void> {
  if (id === actor.user.id) throw invalid("Change your own password with your current one (Account), not as a temporary password.");
  const passwordHash = await hashPassword(checkNewPassword(password));
  await prisma.$transaction(async (tx) => {
    const user = await findUser(tx, id);
    await tx.user.update({ where: { id }, data: { passwordHash, mustChangePassword: true } });
    await tx.session.deleteMany({ where: { userId: id } });
    await recordAudit(actor, { action: "user.temporary_password", target: { type: "user", id, label: user.email } }, tx);
  });
  revokeAccess({ userId: id });
}

export const DEFAULT_RESET_HOURS = 24;
export const MAX_RESET_HOURS = 168;

/** A one-time reset link's token (only its sha256 is kept); earlier links of the user stop working. */
export async function issueResetLink(prisma: PrismaClient, actor: Auth, id: string, hours: number): Promise<{ token: string; expiresAt: Date }> {
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_RESET_HOURS) throw invalid(`expiresInHours must be a whole number of hours from 1 to ${MAX_RESET_HOURS}.`);
  const token = newToken();
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await prisma.$transaction(async (tx) => {
    const user = await findUser(tx, id);
    if (user.disabledAt) throw invalid(`${user.email} is disabled: enable the account first.`);
    await tx.passwordReset.deleteMany({ where: { userId: id } });
    await tx.passwordReset.create({ data: { tokenHash: sha256(token), userId: id, expiresAt, createdById: actor.user.id } });
    await recordAudit(actor, { action: "user.reset_link", target: { type: "user", id, label: user.email }, details: { expiresAt: expiresAt.toISOString() } }, tx);
  });
  return { token, expiresAt };
}

/** The live reset link for `token`, or a 404 that says why not. */
export async function findResetLink(prisma: Pick<PrismaClient, "passwordReset"> | Tx, token: string) {
  const row = await prisma.passwordReset.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  if (!row) throw notFound("That password-reset link (it is unknown or was already used)");
  if (row.expiresAt.getTime() <= Date.now()) throw new ApiError(404, "not_found", `That password-reset link expired at ${row.expiresAt.toISOString()}; ask an admin for a new one.`);
  if (row.user.disabledAt) throw new ApiError(403, "forbidden", "This account is disabled; ask an admin.");
  return row;
}

/** Use a reset link: new password, every session and link of the user gone. Answers the user. */
export async function useResetLink(prisma: PrismaClient, token: string, password: string): Promise<PublicUser> {
  const passwordHash = await hashPassword(checkNewPassword(password));
  const user = await prisma.$transaction(async (tx) => {
    const { user } = await findResetLink(tx, token);
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, mustChangePassword: false } });
    await tx.session.deleteMany({ where: { userId: user.id } });
    await tx.passwordReset.deleteMany({ where: { userId: user.id } });
    await recordAudit({ user: publicUser(user), via: "cookie" }, { action: "auth.password_reset", target: { type: "user", id: user.id, label: user.email } }, tx);
    return publicUser(user);
  });
  revokeAccess({ userId: user.id });
  return user;
}

/** Change your own password: the current one first; your other sessions end. */
export async function changeOwnPassword(prisma: PrismaClient, auth: Auth, current: string, next: string): Promise<void> {
  checkNewPassword(next, "newPassword");
  const user = await prisma.user.findUniqueOrThrow({ where: { id: auth.user.id } });
  if (!(await verifyPassword(current, user.passwordHash))) throw invalid("The current password is wrong.");
  if (current === next) throw invalid("The new password must differ from the current one.");
  const passwordHash = await hashPassword(next);
  const others = { userId: user.id, ...(auth.via === "cookie" ? { id: { not: auth.credentialId } } : {}) };
  const endedSessions = await prisma.session.findMany({ where: others, select: { id: true } });
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, mustChangePassword: false } });
    await tx.session.deleteMany({ where: others });
    await tx.passwordReset.deleteMany({ where: { userId: user.id } });
    await recordAudit(auth, { action: "auth.password_change", target: { type: "user", id: user.id, label: user.email } }, tx);
  });
  // Other sessions end; API tokens are not sessions and keep working.
  for (const s of endedSessions) revokeAccess({ userId: user.id, credentialId: s.id });
}
