import { ApiError, handler, json, notFound, type Params } from "../../../../../lib/server/http";
import { requireUser } from "../../../../../lib/server/auth/session";
import { requireRuntime } from "../../../../../lib/server/runtime/live";

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Hang up a call in progress (admin): 200 { hungUp: true }; 404 when no such call is in progress. */
export const POST = handler<Params<"callId">>(async (req, { params }) => {
  await requireUser(req, "admin");
  const { callId } = await params;
  if (!ID_RE.test(callId)) throw notFound("That call in progress");
  const runtime = requireRuntime();
  let found: boolean;
  try {
    found = await runtime.hangup(callId, 2000);
  } catch (e) {
    throw new ApiError(503, "unavailable", `The SIP runtime is not answering: ${(e as Error).message}.`);
  }
  if (!found) throw notFound("That call in progress");
  return json({ hungUp: true, callId });
});
