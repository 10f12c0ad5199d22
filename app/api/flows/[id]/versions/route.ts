import { getPrisma } from "../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { listVersions } from "../../../../lib/server/flows/publish";

export const GET = handler<Params<"id">>(async (req, { params }) => {
  await requireUser(req);
  const { id } = await params;
  return json({ versions: await listVersions(await getPrisma(), id) });
});
