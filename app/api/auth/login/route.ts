import { getPrisma } from "../../../lib/server/db/client";
import { ApiError, handler, json, optionalString, readObject } from "../../../lib/server/http";
import { hashPassword, newToken, verifyPassword } from "../../../lib/server/auth/crypto";
import { createSession, publicUser, refuseForeignOrigin, sessionCookie } from "../../../lib/server/auth/session";
import { recordAudit } from "../../../lib/server/audit";

// Verified against when the email is unknown, so both failures take the same time.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(newToken()));

/** { email, password } -> { user, passwordChangeRequired? } and the session cookie. */
export const POST = handler(async (req) => {
  refuseForeignOrigin(req);
  const body = await readObject(req);
  const email = (optionalString(body, "email", 320) ?? "").trim().toLowerCase();
  const password = optionalString(body, "password", 1000) ?? "";
  const prisma = await getPrisma();
  const user = email ? await prisma.user.findUnique({ where: { email } }) : null;
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummy()));
  if (!user || !ok) {
    if (user) await recordAudit(null, { action: "auth.login_failed", target: { type: "user", id: user.id, label: user.email } });
    throw new ApiError(401, "unauthenticated", "Wrong email or password.");
  }
  // Said only to someone who knows the password, so it reveals nothing to a guesser.
  if (user.disabledAt) throw new ApiError(403, "forbidden", "This account is disabled; ask an admin.");
  const session = await createSession(prisma, user.id);
  await prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await recordAudit({ user, via: "cookie" }, { action: "auth.login", target: { type: "user", id: user.id, label: user.email } });
  return json({ user: publicUser(user), ...(user.mustChangePassword ? { passwordChangeRequired: true } : {}) }, 200, {
    "set-cookie": sessionCookie(req, session.token, session.expiresAt),
  });
});
