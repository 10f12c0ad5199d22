// Creating accounts: input checks shared by setup and the admin's user form.
import type { PrismaClient, Role } from "../../../../prisma/generated/client/client";
import { ApiError, invalid, optionalString, requiredString } from "../http";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./crypto";
import { publicUser, type PublicUser } from "./session";

const ROLES: readonly Role[] = ["admin", "editor", "viewer"];
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

export interface NewUser {
  email: string;
  name: string;
  password: string;
  role: Role;
}

export function parseNewUser(body: Record<string, unknown>, defaultRole: Role): NewUser {
  const email = requiredString(body, "email", 320).toLowerCase();
  if (!EMAIL_RE.test(email)) throw invalid(`"${email}" is not an email address.`);
  const name = requiredString(body, "name", 200);
  const password = optionalString(body, "password", 1000) ?? "";
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  const role = (optionalString(body, "role") ?? defaultRole) as Role;
  if (!ROLES.includes(role)) throw invalid(`role must be one of ${ROLES.join(", ")}.`);
  return { email, name, password, role };
}

export async function createUser(prisma: Pick<PrismaClient, "user">, u: NewUser): Promise<PublicUser> {
  const existing = await prisma.user.findUnique({ where: { email: u.email } });
  if (existing) throw new ApiError(409, "conflict", `A user with email ${u.email} already exists.`);
  const user = await prisma.user.create({
    data: { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(u.password) },
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
