import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { getHttpAllowList, parseHttpAllowList, setHttpAllowList } from "../../lib/server/settings";

export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ httpAllowList: await getHttpAllowList(await getPrisma()) });
});

/** Admin only: { httpAllowList: string[] } (exact hosts or *.suffix). */
export const PUT = handler(async (req) => {
  await requireUser(req, "admin");
  const hosts = parseHttpAllowList((await readObject(req)).httpAllowList);
  const prisma = await getPrisma();
  await setHttpAllowList(prisma, hosts);
  return json({ httpAllowList: hosts });
});
