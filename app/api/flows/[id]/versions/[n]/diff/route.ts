// Changes of version n against ?against=m (default: the previous version; v1 against an empty
// flow), or with ?against=draft the changes the draft made since version n.
import { getPrisma } from "../../../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../../../lib/server/http";
import { requireUser } from "../../../../../../lib/server/auth/session";
import { diffFlows } from "../../../../../../../flow/diff";
import { getVersion } from "../../../../../../lib/server/flows/publish";
import { getFlow } from "../../../../../../lib/server/flows/store";
import { versionNumber } from "../../../../../../lib/server/flows/version-param";

export const GET = handler<Params<"id" | "n">>(async (req, { params }) => {
  await requireUser(req);
  const { id, n } = await params;
  const prisma = await getPrisma();
  const flow = await getFlow(prisma, id);
  const number = versionNumber(n);
  const version = await getVersion(prisma, id, number);
  const against = new URL(req.url).searchParams.get("against");
  if (against === "draft") {
    return json({ from: { version: number }, to: { draft: true, revision: flow.revision }, changes: diffFlows(version.graph, flow.graph) });
  }
  const baseNumber = against ? versionNumber(against) : number - 1;
  const base = baseNumber >= 1 ? (await getVersion(prisma, id, baseNumber)).graph : { nodes: [], edges: [] };
  return json({ from: { version: baseNumber >= 1 ? baseNumber : null }, to: { version: number }, changes: diffFlows(base, version.graph) });
});
