import { getPrisma } from "../../lib/server/db/client";
import { handler, json } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { listAudioFiles } from "../../lib/server/media";
import { mediaDir } from "../../lib/server/paths";
import { addPrompt, listPrompts, promptLimits } from "../../lib/server/prompts/library";
import { checkPromptName, nameFromFileName } from "../../lib/server/prompts/names";
import { flag, readUpload } from "../../lib/server/prompts/upload";
import { recordAudit } from "../../lib/server/audit";

/** The prompt library, and every audio file under the media folder (FreeSWITCH sounds too) for pickers (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  const root = mediaDir();
  return json({ prompts: await listPrompts(await getPrisma()), root, files: listAudioFiles(root) });
});

/** multipart/form-data: file, name (default: from the file name), replace, trim, normalize -> 201 { prompt } (editor). */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "editor");
  const { user } = auth;
  const limits = promptLimits();
  const upload = await readUpload(req, limits.maxBytes);
  const name = checkPromptName(upload.fields.name?.trim() ? upload.fields.name : nameFromFileName(upload.fileName));
  const source = upload.fields.source === "recording" ? "recording" : "upload";
  const r = await addPrompt(
    await getPrisma(),
    { name, bytes: upload.bytes, user, source, replace: flag(upload.fields.replace), trim: flag(upload.fields.trim), normalize: flag(upload.fields.normalize) },
    mediaDir(),
    limits,
  );
  await recordAudit(auth, { action: "prompt.create", target: { type: "prompt", id: r.prompt.name, label: r.prompt.name }, details: { source, replaced: !r.created } });
  return json({ prompt: r.prompt }, r.created ? 201 : 200);
});
