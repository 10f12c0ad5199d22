import { handler, json } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { listAudioFiles } from "../../lib/server/media";
import { mediaDir } from "../../lib/server/paths";

export const GET = handler(async (req) => {
  await requireUser(req);
  const root = mediaDir();
  return json({ root, files: listAudioFiles(root) });
});
