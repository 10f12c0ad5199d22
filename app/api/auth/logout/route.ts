import { getPrisma } from "../../../lib/server/db/client";
import { handler, noContent } from "../../../lib/server/http";
import { sha256 } from "../../../lib/server/auth/crypto";
import { clearedSessionCookie, readCookie, refuseForeignOrigin, SESSION_COOKIE } from "../../../lib/server/auth/session";

export const POST = handler(async (req) => {
  refuseForeignOrigin(req);
  const token = readCookie(req, SESSION_COOKIE);
  if (token) await (await getPrisma()).session.deleteMany({ where: { tokenHash: sha256(token) } });
  return noContent({ "set-cookie": clearedSessionCookie(req) });
});
