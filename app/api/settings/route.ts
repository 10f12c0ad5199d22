import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { getHttpAllowList, parseHttpAllowList, setHttpAllowList } from "../../lib/server/settings";
import { recordAudit } from "../../lib/server/audit";

export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ httpAllowList: await getHttpAllowList(await getPrisma()) });
});

/** Admin only: { httpAllowList: string[] } (exact hosts or *.suffix). */
export const PUT = handler(async (req) => {
  const auth = await requireUser(req, "admin");
  const hosts = parseHttpAllowList((await readObject(req)).httpAllowList);
  const prisma = await getPrisma();
  const before = await getHttpAllowList(prisma);
  await setHttpAllowList(prisma, hosts);
  await recordAudit(auth, { action: "settings.update", target: { type: "settings", id: "httpAllowList", label: "HTTP allow-list" }, details: { from: before, to: hosts } });
  return json({ httpAllowList: hosts });
});
