import { getPrisma } from "../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { duplicateFlow } from "../../../../lib/server/flows/store";
import { recordAudit } from "../../../../lib/server/audit";

export const POST = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const flow = await duplicateFlow(await getPrisma(), auth.user, id);
  await recordAudit(auth, { action: "flow.duplicate", target: { type: "flow", id: flow.id, label: flow.name }, details: { from: id } });
  return json({ flow }, 201);
});
