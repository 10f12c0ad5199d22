import { handler, notFound } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { readPrompt } from "../../../lib/server/media";
import { rateFolderPath } from "../../../../runtime/media/sources";

/** Any audio file under the media folder as a flow names it (?path=ivr/ivr-welcome.wav), the 8000/ copy first, as the runtime plays it (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  const rel = new URL(req.url).searchParams.get("path") ?? "";
  const bytes = readPrompt(rateFolderPath(rel, 8000)) ?? readPrompt(rel);
  if (!bytes) throw notFound(`The sound file "${rel.slice(0, 200)}"`);
  const type = /\.mp3$/i.test(rel) ? "audio/mpeg" : /\.ogg$/i.test(rel) ? "audio/ogg" : /\.flac$/i.test(rel) ? "audio/flac" : "audio/wav";
  return new Response(new Uint8Array(bytes), { headers: { "content-type": type, "content-length": String(bytes.length), "cache-control": "no-cache" } });
});
