import { getPrisma } from "../../../lib/server/db/client";
import { handler, json } from "../../../lib/server/http";
import { authenticate } from "../../../lib/server/auth/session";

export const GET = handler(async (req) => {
  const prisma = await getPrisma();
  const setupRequired = (await prisma.user.count()) === 0;
  const auth = setupRequired ? null : await authenticate(req);
  return json({ setupRequired, user: auth?.user ?? null });
});
