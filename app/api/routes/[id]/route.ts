import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { deleteRoute, parseRouteInput, updateRoute } from "../../../lib/server/routes/store";
import { recordAudit } from "../../../lib/server/audit";

export const PUT = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const input = parseRouteInput(await readObject(req));
  const prisma = await getPrisma();
  const before = await prisma.route.findUnique({ where: { id } });
  const updated = await updateRoute(prisma, id, input);
  const { route } = updated;
  // What changed, field by field.
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of ["pattern", "flowId", "version", "description", "enabled"] as const) {
    if (before && before[k] !== route[k]) changes[k] = { from: before[k], to: route[k] };
  }
  await recordAudit(auth, { action: "route.update", target: { type: "route", id, label: route.pattern }, details: { changes } });
  return json(updated);
});

export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const prisma = await getPrisma();
  const before = await prisma.route.findUnique({ where: { id }, select: { pattern: true, flowId: true, version: true } });
  await deleteRoute(prisma, id);
  await recordAudit(auth, { action: "route.delete", target: { type: "route", id, label: before?.pattern }, details: { flowId: before?.flowId, version: before?.version } });
  return noContent();
});
