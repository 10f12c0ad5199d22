import { getPrisma } from "../../../lib/server/db/client";
import { handler, noContent, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { revokeToken } from "../../../lib/server/auth/tokens";
import { recordAudit } from "../../../lib/server/audit";

/** Revoke one of your tokens (an admin: anyone's) -> 204. */
export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req);
  const { id } = await params;
  const revoked = await revokeToken(await getPrisma(), auth, id);
  await recordAudit(auth, { action: "token.revoke", target: { type: "token", id, label: revoked.name }, details: { owner: revoked.owner.email } });
  return noContent();
});
