import { getPrisma } from "../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { duplicateFlow } from "../../../../lib/server/flows/store";

export const POST = handler<Params<"id">>(async (req, { params }) => {
  const { user } = await requireUser(req, "editor");
  const { id } = await params;
  return json({ flow: await duplicateFlow(await getPrisma(), user, id) }, 201);
});
