import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { createRoute, listRoutes, parseRouteInput } from "../../lib/server/routes/store";
import { recordAudit } from "../../lib/server/audit";

export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ routes: await listRoutes(await getPrisma()) });
});

/** { pattern, flowId, version?, description?, enabled? } -> 201 { route, warnings }; 409 overlap on a duplicate. */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "editor");
  const input = parseRouteInput(await readObject(req));
  const created = await createRoute(await getPrisma(), input);
  const { route } = created;
  await recordAudit(auth, { action: "route.create", target: { type: "route", id: route.id, label: route.pattern }, details: { flowId: route.flowId, flow: route.flowName, version: route.version, enabled: route.enabled } });
  return json(created, 201);
});
