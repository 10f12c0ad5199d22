import { getPrisma } from "../../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../../lib/server/http";
import { requireUser } from "../../../../../lib/server/auth/session";
import { getVersion } from "../../../../../lib/server/flows/publish";
import { getFlow } from "../../../../../lib/server/flows/store";
import { versionNumber } from "../../../../../lib/server/flows/version-param";

export const GET = handler<Params<"id" | "n">>(async (req, { params }) => {
  await requireUser(req);
  const { id, n } = await params;
  const prisma = await getPrisma();
  await getFlow(prisma, id);
  return json({ version: await getVersion(prisma, id, versionNumber(n)) });
});
