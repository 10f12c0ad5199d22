import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { deletePrompt, getPrompt, promptUsage, promptView, renamePrompt } from "../../../lib/server/prompts/library";
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

/**
 * { name: NEW } -> { prompt, drafts, phrases, keptFor }: renamed; drafts and phrases that play it
 * now play the new name; published versions that play the old name keep it (an alias) (editor).
 */
export const PATCH = handler<Params<"name">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { name } = await params;
  const body = await readObject(req);
  const r = await renamePrompt(await getPrisma(), name, body.name);
  if (r.prompt.name !== name) {
    await recordAudit(auth, { action: "prompt.rename", target: { type: "prompt", id: r.prompt.name, label: r.prompt.name }, details: { from: name, drafts: r.drafts.length, keptForPublished: r.keptFor.length > 0 } });
  }
  return json(r);
});
