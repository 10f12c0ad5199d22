// Import a FlowGraph JSON document: { graph } or the raw document. Bad documents: 400, nothing saved.
import { getPrisma } from "../../../lib/server/db/client";
import { handler, invalid, json, readJson } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { parseGraph } from "../../../lib/server/flows/documents";
import { createFlow } from "../../../lib/server/flows/store";
import { recordAudit } from "../../../lib/server/audit";

export const POST = handler(async (req) => {
  const auth = await requireUser(req, "editor");
  const { user } = auth;
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("The imported file must be a flow document (a JSON object).");
  const wrapped = body as Record<string, unknown>;
  const raw = "graph" in wrapped && !("nodes" in wrapped) ? wrapped.graph : wrapped;
  const graph = parseGraph(raw, "The imported file");
  const name = typeof wrapped.name === "string" && wrapped.name.trim() && raw !== wrapped ? wrapped.name.trim() : graph.name;
  const flow = await createFlow(await getPrisma(), user, name, graph);
  await recordAudit(auth, { action: "flow.import", target: { type: "flow", id: flow.id, label: flow.name }, details: { nodes: graph.nodes.length } });
  return json({ flow }, 201);
});
