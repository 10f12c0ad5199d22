import { getPrisma } from "../../../../lib/server/db/client";
import { handler, invalid, json, optionalString, readObject, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { publishFlow } from "../../../../lib/server/flows/publish";
import { recordAudit } from "../../../../lib/server/audit";

/**
 * { note?, baseRevision?, publishAnyway? } -> 201 { version }; 400 { diagnostics } when the flow has
 * errors; 422 { diagnostics } when it names prompts, gateways, SIP users or phrases this server
 * lacks (IVR1030-1032) and publishAnyway is not true.
 */
export const POST = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const body = await readObject(req);
  const base = body.baseRevision;
  if (base !== undefined && base !== null && (typeof base !== "number" || !Number.isInteger(base))) throw invalid("baseRevision must be a whole number.");
  const note = optionalString(body, "note", 2000) ?? "";
  const anyway = body.publishAnyway;
  if (anyway !== undefined && anyway !== null && typeof anyway !== "boolean") throw invalid("publishAnyway must be true or false.");
  const prisma = await getPrisma();
  const version = await publishFlow(prisma, auth.user, id, note.trim(), { baseRevision: (base as number | null) ?? undefined, publishAnyway: anyway === true });
  const flow = await prisma.flow.findUnique({ where: { id }, select: { name: true } });
  await recordAudit(auth, { action: "flow.publish", target: { type: "flow", id, label: flow?.name }, details: { version: version.number, note: version.note } });
  return json({ version }, 201);
});
