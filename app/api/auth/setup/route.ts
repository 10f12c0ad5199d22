// Create the first admin: from a loopback socket, or with the one-time setup token.
import { getPrisma } from "../../../lib/server/db/client";
import { ApiError, handler, json, optionalString, readObject } from "../../../lib/server/http";
import { isLocalRequest } from "../../../lib/server/auth/peer";
import { createSession, refuseForeignOrigin, sessionCookie } from "../../../lib/server/auth/session";
import { setupTokenKey, setupTokenMatches } from "../../../lib/server/auth/setup";
import { createUser, parseNewUser } from "../../../lib/server/auth/users";
import { recordAudit } from "../../../lib/server/audit";

const SETUP_LOCK_ID = 48151623;

export const POST = handler(async (req) => {
  refuseForeignOrigin(req);
  const body = await readObject(req);
  const prisma = await getPrisma();
  const done = () => new ApiError(409, "setup_done", "Setup is already done: an account exists. Sign in instead.");
  if ((await prisma.user.count()) > 0) throw done();
  const token = optionalString(body, "setupToken", 200);
  const local = isLocalRequest(req);
  if (!local && !(token && (await setupTokenMatches(prisma, token)))) {
    throw new ApiError(
      403,
      "forbidden",
      token
        ? "That setup token is not valid. Use the one printed on the server console at its last start."
        : "Setup from another machine needs the one-time setup token printed on the server console at start.",
    );
  }
  const input = { ...parseNewUser(body, "admin"), role: "admin" as const, mustChangePassword: false };
  const user = await prisma.$transaction(async (tx) => {
    // Serialise concurrent setups: only the first one may create the admin.
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SETUP_LOCK_ID})`);
    if ((await tx.user.count()) > 0) throw done();
    const created = await createUser(tx, input);
    await tx.user.update({ where: { id: created.id }, data: { lastLoginAt: new Date() } });
    await tx.setting.deleteMany({ where: { key: setupTokenKey } });
    await recordAudit({ user: created, via: "cookie" }, { action: "auth.setup", target: { type: "user", id: created.id, label: created.email }, details: { local, role: "admin" } }, tx);
    return created;
  });
  const session = await createSession(prisma, user.id);
  return json({ user }, 201, { "set-cookie": sessionCookie(req, session.token, session.expiresAt) });
});
