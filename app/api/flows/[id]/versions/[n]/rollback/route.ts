import { getPrisma } from "../../../../../../lib/server/db/client";
import { handler, json, optionalString, readObject, type Params } from "../../../../../../lib/server/http";
import { requireUser } from "../../../../../../lib/server/auth/session";
import { rollbackFlow } from "../../../../../../lib/server/flows/publish";
import { versionNumber } from "../../../../../../lib/server/flows/version-param";

/** Publish a copy of version n as the next version; the draft becomes that graph. */
export const POST = handler<Params<"id" | "n">>(async (req, { params }) => {
  const { user } = await requireUser(req, "editor");
  const { id, n } = await params;
  const note = optionalString(await readObject(req), "note", 2000);
  return json({ version: await rollbackFlow(await getPrisma(), user, id, versionNumber(n), note) }, 201);
});
