import { getPrisma } from "../../../../lib/server/db/client";
import { handler, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { getFlow } from "../../../../lib/server/flows/store";
import { attachmentName } from "../../../../lib/server/flows/filenames";

export const GET = handler<Params<"id">>(async (req, { params }) => {
  await requireUser(req);
  const { id } = await params;
  const flow = await getFlow(await getPrisma(), id);
  return new Response(JSON.stringify(flow.graph, null, 2) + "\n", {
    headers: { "content-type": "application/json; charset=utf-8", "content-disposition": attachmentName(flow.name, ".json") },
  });
});
