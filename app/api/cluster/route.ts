// The runtimes sharing this database (viewer): address, version, calls in progress, state
// (up/draining/down) and last heartbeat, from the heartbeat table (docs/deploy.md).
import { getPrisma } from "../../lib/server/db/client";
import { handler, json } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { listRuntimes } from "../../lib/server/runtime/cluster";

export const GET = handler(async (req) => {
  await requireUser(req);
  return json(await listRuntimes(await getPrisma()));
});
