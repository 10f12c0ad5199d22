import { getPrisma } from "../../../../lib/server/db/client";
import { handler, invalid, json, optionalString, readObject, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { publishFlow } from "../../../../lib/server/flows/publish";
import { recordAudit } from "../../../../lib/server/audit";

/** { note?, baseRevision? } -> 201 { version }; 400 { diagnostics } when the flow has errors. */
export const POST = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const body = await readObject(req);
  const base = body.baseRevision;
  if (base !== undefined && base !== null && (typeof base !== "number" || !Number.isInteger(base))) throw invalid("baseRevision must be a whole number.");
  const note = optionalString(body, "note", 2000) ?? "";
  const prisma = await getPrisma();
  const version = await publishFlow(prisma, auth.user, id, note.trim(), (base as number | null) ?? undefined);
  const flow = await prisma.flow.findUnique({ where: { id }, select: { name: true } });
  await recordAudit(auth, { action: "flow.publish", target: { type: "flow", id, label: flow?.name }, details: { version: version.number, note: version.note } });
  return json({ version }, 201);
});
