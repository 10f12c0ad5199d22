import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, optionalString, readObject, requiredString } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { mediaDir } from "../../../lib/server/paths";
import { addPrompt, promptLimits } from "../../../lib/server/prompts/library";
import { checkPromptName } from "../../../lib/server/prompts/names";
import { speak } from "../../../lib/server/prompts/tts";
import { recordAudit } from "../../../lib/server/audit";
import { MAX_TTS_TEXT } from "../../../../runtime/speech/tts-engines";

/**
 * { text, engine: "flite"|"espeak-ng", voice, name?, preview?, replace?, trim?, normalize? }:
 * preview -> the audio (audio/wav); otherwise saved as a prompt -> 201 { prompt } (editor).
 */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "editor");
  const { user } = auth;
  const body = await readObject(req);
  const text = requiredString(body, "text", MAX_TTS_TEXT);
  const engine = requiredString(body, "engine", 40);
  const voice = requiredString(body, "voice", 80);
  const wav = await speak(engine, voice, text);
  if (body.preview === true) {
    return new Response(new Uint8Array(wav), { headers: { "content-type": "audio/wav", "content-length": String(wav.length) } });
  }
  const name = checkPromptName(optionalString(body, "name", 200));
  const r = await addPrompt(
    await getPrisma(),
    { name, bytes: wav, user, source: "tts", replace: body.replace === true, trim: body.trim !== false, normalize: body.normalize === true, tts: { text, engine, voice } },
    mediaDir(),
    promptLimits(),
  );
  await recordAudit(auth, { action: "prompt.create", target: { type: "prompt", id: r.prompt.name, label: r.prompt.name }, details: { source: "tts", engine, voice, replaced: !r.created } });
  return json({ prompt: r.prompt }, r.created ? 201 : 200);
});
