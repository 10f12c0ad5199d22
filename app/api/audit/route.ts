import { getPrisma } from "../../lib/server/db/client";
import { handler, json } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { listAudit, parseAuditQuery } from "../../lib/server/audit";

/** The audit log, newest first: ?actor=&action=&targetType=&targetId=&since=&until=&limit=&cursor= -> { entries, nextCursor } (admin). */
export const GET = handler(async (req) => {
  await requireUser(req, "admin");
  const query = parseAuditQuery(new URL(req.url).searchParams);
  return json(await listAudit(await getPrisma(), query));
});
