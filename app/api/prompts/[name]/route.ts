import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { deletePrompt, getPrompt, promptUsage, promptView } from "../../../lib/server/prompts/library";
import { recordAudit } from "../../../lib/server/audit";

/** One prompt and the published flow versions that play it (viewer). */
export const GET = handler<Params<"name">>(async (req, { params }) => {
  await requireUser(req);
  const { name } = await params;
  const prisma = await getPrisma();
  const row = await getPrompt(prisma, name);
  return json({ prompt: promptView(row), usedBy: await promptUsage(prisma, row.path) });
});

/** 204; 409 in_use (listing the flows) while a published version plays it (editor). */
export const DELETE = handler<Params<"name">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { name } = await params;
  await deletePrompt(await getPrisma(), name);
  await recordAudit(auth, { action: "prompt.delete", target: { type: "prompt", id: name, label: name } });
  return noContent();
});
