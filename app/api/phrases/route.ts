import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { recordAudit } from "../../lib/server/audit";
import { createPhrase, listPhrases } from "../../lib/server/prompts/phrases";

/** The phrase library: every phrase macro ({ phrases }; `ivr export/serve --phrases` read this shape) (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ phrases: await listPhrases(await getPrisma()) });
});

/** { name, language, description, pauseMs, inputs } -> 201 { phrase, diagnostics } (warnings); 400 with every diagnostic on an error (editor). */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "editor");
  const r = await createPhrase(await getPrisma(), await readObject(req), auth.user);
  await recordAudit(auth, { action: "phrase.create", target: { type: "phrase", id: r.phrase.id, label: `${r.phrase.name} (${r.phrase.language})` } });
  return json(r, 201);
});
