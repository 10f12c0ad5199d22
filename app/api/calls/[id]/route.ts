import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { getCall } from "../../../lib/server/runtime/calls";

/** One call (by id or runtime UUID) with its events and the nodes it went through (viewer). */
export const GET = handler<Params<"id">>(async (req, { params }) => {
  await requireUser(req);
  const { id } = await params;
  return json({ call: await getCall(await getPrisma(), id) });
});
