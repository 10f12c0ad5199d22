import { getPrisma } from "../../../lib/server/db/client";
import { ApiError, handler, json } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { FlowNames, parseLiveFilter, requireRuntime } from "../../../lib/server/runtime/live";

/** Calls in progress with the node each is in: ?flowId= -> { calls } (viewer); 503 without a runtime. */
export const GET = handler(async (req) => {
  await requireUser(req);
  const filter = parseLiveFilter(new URL(req.url).searchParams);
  const runtime = requireRuntime();
  let calls;
  try {
    calls = await runtime.live(2000);
  } catch (e) {
    throw new ApiError(503, "unavailable", `The SIP runtime is not answering: ${(e as Error).message}.`);
  }
  return json({ calls: await new FlowNames(await getPrisma()).view(calls, filter) });
});
