import { getPrisma } from "../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { promptPeaks } from "../../../../lib/server/prompts/library";

/** Peak levels (0..1) for a waveform picture: ?points=200 (10-2000) (viewer). */
export const GET = handler<Params<"name">>(async (req, { params }) => {
  await requireUser(req);
  const { name } = await params;
  const points = Math.max(10, Math.min(2000, Number(new URL(req.url).searchParams.get("points")) || 200));
  return json({ peaks: await promptPeaks(await getPrisma(), name, points) });
});
