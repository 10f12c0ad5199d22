// Run the flow's test cases (out of this process: lib/server/testing/flow-tests.ts).
// { graph?, case?, lang? } -> 200 { passed, failed, results: [{ name, language, passed, failure?, failedNode?, path, ... }] }
import { getPrisma } from "../../../../lib/server/db/client";
import { handler, invalid, json, optionalString, readObject, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { parseGraph } from "../../../../lib/server/flows/documents";
import { getFlow } from "../../../../lib/server/flows/store";
import { checkTestable } from "../../../../lib/server/flows/publish";
import { runFlowTestsIsolated } from "../../../../lib/server/testing/flow-tests";

export const POST = handler<Params<"id">>(async (req, { params }) => {
  // Running a flow runs its code: editors only, and with the caller's rights to that code.
  const { user } = await requireUser(req, "editor");
  const { id } = await params;
  const prisma = await getPrisma();
  const body = await readObject(req);
  const flow = await getFlow(prisma, id);
  const graph = body.graph !== undefined ? parseGraph(body.graph) : flow.graph;
  const lang = optionalString(body, "lang", 10);
  if (lang !== undefined && lang !== "lua" && lang !== "ts") throw invalid("lang must be lua or ts.");
  const caseName = optionalString(body, "case", 200);
  await checkTestable(prisma, user, graph);
  const run = await runFlowTestsIsolated(graph, { userId: user.id, languages: lang ? [lang] : undefined, caseName });
  return json(run);
});
