import { getPrisma } from "../../../../lib/server/db/client";
import { handler, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { promptAudio } from "../../../../lib/server/prompts/library";

/** The prompt's WAV: ?rate=8000 (default) or 16000 (viewer). */
export const GET = handler<Params<"name">>(async (req, { params }) => {
  await requireUser(req);
  const { name } = await params;
  const rate = Number(new URL(req.url).searchParams.get("rate") ?? 8000);
  const wav = await promptAudio(await getPrisma(), name, rate);
  return new Response(new Uint8Array(wav), { headers: { "content-type": "audio/wav", "content-length": String(wav.length), "cache-control": "no-cache" } });
});
