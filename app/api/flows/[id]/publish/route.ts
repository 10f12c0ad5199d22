import { getPrisma } from "../../../../lib/server/db/client";
import { handler, invalid, json, optionalString, readObject, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { publishFlow } from "../../../../lib/server/flows/publish";

/** { note?, baseRevision? } -> 201 { version }; 400 { diagnostics } when the flow has errors. */
export const POST = handler<Params<"id">>(async (req, { params }) => {
  const { user } = await requireUser(req, "editor");
  const { id } = await params;
  const body = await readObject(req);
  const base = body.baseRevision;
  if (base !== undefined && base !== null && (typeof base !== "number" || !Number.isInteger(base))) throw invalid("baseRevision must be a whole number.");
  const note = optionalString(body, "note", 2000) ?? "";
  const version = await publishFlow(await getPrisma(), user, id, note.trim(), (base as number | null) ?? undefined);
  return json({ version }, 201);
});
