import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { createRoute, listRoutes, parseRouteInput } from "../../lib/server/routes/store";

export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ routes: await listRoutes(await getPrisma()) });
});

/** { pattern, flowId, version?, description?, enabled? } -> 201 { route, warnings }; 409 overlap on a duplicate. */
export const POST = handler(async (req) => {
  await requireUser(req, "editor");
  const input = parseRouteInput(await readObject(req));
  return json(await createRoute(await getPrisma(), input), 201);
});
