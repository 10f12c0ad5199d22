// A one-time password-reset link an admin issued (/reset-password#token=...): check it, use it.
import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, optionalString, readObject, requiredString } from "../../../lib/server/http";
import { createSession, refuseForeignOrigin, sessionCookie } from "../../../lib/server/auth/session";
import { findResetLink, useResetLink } from "../../../lib/server/auth/users";

/** ?token= -> { email, expiresAt }; 404 when unknown, used or expired. */
export const GET = handler(async (req) => {
  const token = new URL(req.url).searchParams.get("token") ?? "";
  const row = await findResetLink(await getPrisma(), token);
  return json({ email: row.user.email, expiresAt: row.expiresAt.toISOString() });
});

/** { token, password } -> { user } and a new session; every other session of the user ends. */
export const POST = handler(async (req) => {
  refuseForeignOrigin(req);
  const body = await readObject(req);
  const token = requiredString(body, "token", 200);
  const password = optionalString(body, "password", 1000) ?? "";
  const prisma = await getPrisma();
  const user = await useResetLink(prisma, token, password);
  const session = await createSession(prisma, user.id);
  return json({ user }, 200, { "set-cookie": sessionCookie(req, session.token, session.expiresAt) });
});
