import { recordAudit } from "../../../../../lib/server/audit";
import { ApiError, handler, json, notFound, type Params } from "../../../../../lib/server/http";
import { requireUser } from "../../../../../lib/server/auth/session";
import { requireRuntime } from "../../../../../lib/server/runtime/live";

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Hang up a call in progress (admin, audited as call.hangup): 200 { hungUp: true }; 404 when no such call is in progress. */
export const POST = handler<Params<"callId">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { callId } = await params;
  if (!ID_RE.test(callId)) throw notFound("That call in progress");
  const runtime = requireRuntime();
  let found: boolean;
  let call;
  try {
    // What the call was doing, for the audit log (it may end on its own in between: then 404).
    call = (await runtime.live(2000)).find((c) => c.callId === callId);
    found = !!call && (await runtime.hangup(callId, 2000));
  } catch (e) {
    throw new ApiError(503, "unavailable", `The SIP runtime is not answering: ${(e as Error).message}.`);
  }
  if (!found || !call) throw notFound("That call in progress");
  await recordAudit(auth, {
    action: "call.hangup",
    target: { type: "call", id: callId, label: `${call.from} → ${call.to}` },
    details: { flowId: call.flowId, version: call.version, node: call.node },
  });
  return json({ hungUp: true, callId });
});
