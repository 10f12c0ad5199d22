// The SIP/RTP runtime's health, from its own thread (viewer): 200 with where SIP listens, calls in
// progress, routes served and the runtime thread's event-loop delay; 503 when it is not running
// in this server (IVR_RUNTIME=off, failed to start, or not answering within 2 s).
import { ApiError, handler, json } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { runningRuntime } from "../../lib/server/runtime/registry";

export const GET = handler(async (req) => {
  await requireUser(req);
  const runtime = runningRuntime();
  if (!runtime) throw new ApiError(503, "unavailable", "The SIP runtime is not running in this server (IVR_RUNTIME=off, or it could not start: see the server log).");
  try {
    const stats = await runtime.stats(2000);
    return json({ running: true, sip: { address: runtime.sipAddress, port: stats.sipPort }, ...stats });
  } catch (e) {
    throw new ApiError(503, "unavailable", `The SIP runtime is not answering: ${(e as Error).message}.`);
  }
});
