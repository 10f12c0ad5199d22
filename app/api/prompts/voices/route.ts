import { handler, json } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { ttsVoices } from "../../../../runtime/speech/tts-engines";

/** TTS engines and their voices, for TTS prompts (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ engines: await ttsVoices() });
});
