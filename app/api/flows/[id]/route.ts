import { getPrisma } from "../../../lib/server/db/client";
import { ApiError, handler, invalid, json, noContent, optionalString, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { parseGraph } from "../../../lib/server/flows/documents";
import { deleteFlow, getFlow, renameFlow, saveFlow } from "../../../lib/server/flows/store";
import { recordAudit } from "../../../lib/server/audit";

type Ctx = Params<"id">;

export const GET = handler<Ctx>(async (req, { params }) => {
  await requireUser(req);
  const { id } = await params;
  return json({ flow: await getFlow(await getPrisma(), id) });
});

/** Save the draft: { graph, baseRevision, name? }; 409 when someone saved since baseRevision. */
export const PUT = handler<Ctx>(async (req, { params }) => {
  const { user } = await requireUser(req, "editor");
  const { id } = await params;
  const body = await readObject(req);
  const base = body.baseRevision;
  if (typeof base !== "number" || !Number.isInteger(base)) throw invalid("baseRevision (the revision your edit started from) is required.");
  if (body.graph === undefined) throw invalid("graph is required.");
  const graph = parseGraph(body.graph);
  const name = optionalString(body, "name", 200);
  return json({ flow: await saveFlow(await getPrisma(), user, id, base, graph, name) });
});

/** Rename: { name?, description? }. */
export const PATCH = handler<Ctx>(async (req, { params }) => {
  const { user } = await requireUser(req, "editor");
  const { id } = await params;
  const body = await readObject(req);
  const name = optionalString(body, "name", 200);
  if (name !== undefined && !name.trim()) throw invalid("name cannot be empty.");
  const description = optionalString(body, "description", 2000);
  return json({ flow: await renameFlow(await getPrisma(), user, id, name, description) });
});

/** DELETE ?confirm=true[&force=true]; force (admin) also deletes the routes that use the flow. */
export const DELETE = handler<Ctx>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { user } = auth;
  const { id } = await params;
  const q = new URL(req.url).searchParams;
  if (q.get("confirm") !== "true") throw invalid("Deleting a flow needs ?confirm=true.");
  const force = q.get("force") === "true";
  if (force && user.role !== "admin") throw new ApiError(403, "forbidden", "Only an admin may delete a flow together with its routes (force=true).");
  const prisma = await getPrisma();
  const name = (await prisma.flow.findUnique({ where: { id }, select: { name: true } }))?.name;
  await deleteFlow(prisma, id, force);
  await recordAudit(auth, { action: "flow.delete", target: { type: "flow", id, label: name ?? id }, details: force ? { force: true } : undefined });
  return noContent();
});
