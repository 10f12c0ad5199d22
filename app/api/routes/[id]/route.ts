import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { deleteRoute, parseRouteInput, updateRoute } from "../../../lib/server/routes/store";

export const PUT = handler<Params<"id">>(async (req, { params }) => {
  await requireUser(req, "editor");
  const { id } = await params;
  const input = parseRouteInput(await readObject(req));
  return json(await updateRoute(await getPrisma(), id, input));
});

export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  await requireUser(req, "editor");
  const { id } = await params;
  await deleteRoute(await getPrisma(), id);
  return noContent();
});
