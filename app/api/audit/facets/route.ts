import { getPrisma } from "../../../lib/server/db/client";
import { handler, json } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { auditFacets } from "../../../lib/server/audit";

/** The actions and actor emails to filter the audit log by -> { actions, actors } (admin). */
export const GET = handler(async (req) => {
  await requireUser(req, "admin");
  return json(await auditFacets(await getPrisma()));
});
