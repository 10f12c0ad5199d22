import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { recordAudit } from "../../../lib/server/audit";
import { deletePhrase, getPhrase, phraseUsage, phraseView, updatePhrase } from "../../../lib/server/prompts/phrases";

/** One phrase and the published flow versions that play it (viewer). */
export const GET = handler<Params<"id">>(async (req, { params }) => {
  await requireUser(req);
  const { id } = await params;
  const prisma = await getPrisma();
  const row = await getPhrase(prisma, id);
  return json({ phrase: phraseView(row), usedBy: await phraseUsage(prisma, row) });
});

/** The whole phrase plus the `revision` it was loaded at -> { phrase, diagnostics }; 409 when it changed meanwhile (editor). */
export const PUT = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const r = await updatePhrase(await getPrisma(), id, await readObject(req), auth.user);
  await recordAudit(auth, { action: "phrase.update", target: { type: "phrase", id, label: `${r.phrase.name} (${r.phrase.language})` } });
  return json(r);
});

/** 204; 409 in_use (listing the flows) while a published version plays it (editor). */
export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "editor");
  const { id } = await params;
  const row = await deletePhrase(await getPrisma(), id);
  await recordAudit(auth, { action: "phrase.delete", target: { type: "phrase", id, label: `${row.name} (${row.language})` } });
  return noContent();
});
