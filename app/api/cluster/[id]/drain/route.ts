// Drain one runtime (admin): it answers new calls 503 (Kamailio sends them elsewhere), lets its
// calls finish, then exits. The request is a flag the runtime reads on its next heartbeat.
import { getPrisma } from "../../../../lib/server/db/client";
import { handler, json, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { requestDrain } from "../../../../lib/server/runtime/cluster";
import { recordAudit } from "../../../../lib/server/audit";

export const POST = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const runtime = await requestDrain(await getPrisma(), id);
  await recordAudit(auth, { action: "runtime.drain", target: { type: "runtime", id, label: runtime.address }, details: { activeCalls: runtime.activeCalls } });
  return json({ runtime }, 202);
});
