import { getPrisma } from "../../../../../../lib/server/db/client";
import { handler, json, optionalString, readObject, type Params } from "../../../../../../lib/server/http";
import { requireUser } from "../../../../../../lib/server/auth/session";
import { rollbackFlow } from "../../../../../../lib/server/flows/publish";
import { versionNumber } from "../../../../../../lib/server/flows/version-param";
import { recordAudit } from "../../../../../../lib/server/audit";

/** Publish a copy of version n as the next version; the draft becomes that graph. */
export const POST = handler<Params<"id" | "n">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id, n } = await params;
  const note = optionalString(await readObject(req), "note", 2000);
  const prisma = await getPrisma();
  const from = versionNumber(n);
  const version = await rollbackFlow(prisma, auth.user, id, from, note);
  const flow = await prisma.flow.findUnique({ where: { id }, select: { name: true } });
  await recordAudit(auth, { action: "flow.rollback", target: { type: "flow", id, label: flow?.name }, details: { to: from, version: version.number, note: version.note } });
  return json({ version }, 201);
});
