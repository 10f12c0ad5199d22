import { getPrisma } from "../../../lib/server/db/client";
import { handler, json } from "../../../lib/server/http";
import { isLocalRequest } from "../../../lib/server/auth/peer";
import { authenticate } from "../../../lib/server/auth/session";

/**
 * { setupRequired, user }; while setup is required, also whether this caller needs the setup
 * token; passwordChangeRequired: true when the user signed in with a temporary password.
 */
export const GET = handler(async (req) => {
  const prisma = await getPrisma();
  const setupRequired = (await prisma.user.count()) === 0;
  if (setupRequired) return json({ setupRequired, user: null, setupTokenNeeded: !isLocalRequest(req) });
  const auth = await authenticate(req);
  return json({ setupRequired, user: auth?.user ?? null, ...(auth?.mustChangePassword ? { passwordChangeRequired: true } : {}) });
});
