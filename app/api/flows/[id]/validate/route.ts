// Server-side validation with the caller's rights; { graph } in the body checks unsaved edits.
import { getPrisma } from "../../../../lib/server/db/client";
import { handler, json, readObject, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { validate } from "../../../../../flow/validate";
import { parseGraph } from "../../../../lib/server/flows/documents";
import { getFlow } from "../../../../lib/server/flows/store";
import { serverValidateOptions } from "../../../../lib/server/flows/server-checks";

export const POST = handler<Params<"id">>(async (req, { params }) => {
  const { user } = await requireUser(req);
  const { id } = await params;
  const prisma = await getPrisma();
  const body = await readObject(req);
  const flow = await getFlow(prisma, id);
  const graph = body.graph !== undefined ? parseGraph(body.graph) : flow.graph;
  const diagnostics = validate(graph, await serverValidateOptions(prisma, user));
  return json({ diagnostics });
});
