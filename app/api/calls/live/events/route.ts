import { getPrisma } from "../../../../lib/server/db/client";
import { handler } from "../../../../lib/server/http";
import { requireUser, watchAccess } from "../../../../lib/server/auth/session";
import { FlowNames, liveEventStream, parseLiveFilter, requireRuntime } from "../../../../lib/server/runtime/live";

/** Server-sent events of the calls in progress (`event: calls`, the whole list on each change): ?flowId= (viewer). */
export const GET = handler(async (req) => {
  const auth = await requireUser(req);
  const filter = parseLiveFilter(new URL(req.url).searchParams);
  const runtime = requireRuntime();
  // The stream ends when the client goes, or when the caller's access is revoked (disabled...).
  const end = new AbortController();
  const unwatch = watchAccess(auth, () => end.abort());
  req.signal.addEventListener("abort", () => end.abort(), { once: true });
  end.signal.addEventListener("abort", unwatch, { once: true });
  return liveEventStream(new Request(req, { signal: end.signal }), runtime, new FlowNames(await getPrisma()), filter);
});
