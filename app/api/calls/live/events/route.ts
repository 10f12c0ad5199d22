import { getPrisma } from "../../../../lib/server/db/client";
import { handler } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { FlowNames, liveEventStream, parseLiveFilter, requireRuntime } from "../../../../lib/server/runtime/live";

/** Server-sent events of the calls in progress (`event: calls`, the whole list on each change): ?flowId= (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  const filter = parseLiveFilter(new URL(req.url).searchParams);
  const runtime = requireRuntime();
  return liveEventStream(req, runtime, new FlowNames(await getPrisma()), filter);
});
