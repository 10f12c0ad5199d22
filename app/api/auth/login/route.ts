import { getPrisma } from "../../../lib/server/db/client";
import { ApiError, handler, json, optionalString, readObject } from "../../../lib/server/http";
import { hashPassword, newToken, verifyPassword } from "../../../lib/server/auth/crypto";
import { createSession, publicUser, refuseForeignOrigin, sessionCookie } from "../../../lib/server/auth/session";

// Verified against when the email is unknown, so both failures take the same time.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= hashPassword(newToken()));

export const POST = handler(async (req) => {
  refuseForeignOrigin(req);
  const body = await readObject(req);
  const email = (optionalString(body, "email", 320) ?? "").trim().toLowerCase();
  const password = optionalString(body, "password", 1000) ?? "";
  const prisma = await getPrisma();
  const user = email ? await prisma.user.findUnique({ where: { email } }) : null;
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummy()));
  if (!user || !ok) throw new ApiError(401, "unauthenticated", "Wrong email or password.");
  const session = await createSession(prisma, user.id);
  return json({ user: publicUser(user) }, 200, { "set-cookie": sessionCookie(req, session.token, session.expiresAt) });
});
