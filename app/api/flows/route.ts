import { getPrisma } from "../../lib/server/db/client";
import { handler, invalid, json, optionalString, readObject, requiredString } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { blankGraph, loadTemplate, parseGraph } from "../../lib/server/flows/documents";
import { createFlow, listFlows } from "../../lib/server/flows/store";
import { recordAudit } from "../../lib/server/audit";

export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ flows: await listFlows(await getPrisma()) });
});

export const POST = handler(async (req) => {
  const auth = await requireUser(req, "editor");
  const { user } = auth;
  const body = await readObject(req);
  const name = requiredString(body, "name", 200);
  const template = optionalString(body, "template", 100);
  if (template && body.graph !== undefined) throw invalid("Give either a template or a graph, not both.");
  const graph = template ? loadTemplate(template) : body.graph !== undefined ? parseGraph(body.graph) : blankGraph(name);
  const description = optionalString(body, "description", 2000) ?? graph.description;
  const flow = await createFlow(await getPrisma(), user, name, graph, description);
  await recordAudit(auth, { action: "flow.create", target: { type: "flow", id: flow.id, label: flow.name }, details: template ? { template } : undefined });
  return json({ flow }, 201);
});
