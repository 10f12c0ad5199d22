import { getPrisma } from "../../lib/server/db/client";
import { handler, json } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { listCalls, parseCallQuery } from "../../lib/server/runtime/calls";

/** Recent calls, newest first: ?number=&flowId=&limit=&cursor= -> { calls, nextCursor } (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  const query = parseCallQuery(new URL(req.url).searchParams);
  return json(await listCalls(await getPrisma(), query));
});
