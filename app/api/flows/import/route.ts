// Import a FlowGraph JSON document: { graph } or the raw document. Bad documents: 400, nothing saved.
import { getPrisma } from "../../../lib/server/db/client";
import { handler, invalid, json, readJson } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { parseGraph } from "../../../lib/server/flows/documents";
import { createFlow } from "../../../lib/server/flows/store";

export const POST = handler(async (req) => {
  const { user } = await requireUser(req, "editor");
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("The imported file must be a flow document (a JSON object).");
  const wrapped = body as Record<string, unknown>;
  const raw = "graph" in wrapped && !("nodes" in wrapped) ? wrapped.graph : wrapped;
  const graph = parseGraph(raw, "The imported file");
  const name = typeof wrapped.name === "string" && wrapped.name.trim() && raw !== wrapped ? wrapped.name.trim() : graph.name;
  return json({ flow: await createFlow(await getPrisma(), user, name, graph) }, 201);
});
