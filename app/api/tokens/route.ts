// API tokens (Authorization: Bearer <token>): the signed-in user's own; an admin may list
// everybody's (?all=1) or one user's (?userId=). A new token is shown once.
import { getPrisma } from "../../lib/server/db/client";
import { ApiError, handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { createToken, listTokens, parseNewToken } from "../../lib/server/auth/tokens";
import { recordAudit } from "../../lib/server/audit";

/** -> { tokens: [{ id, name, role, createdAt, lastUsedAt, expiresAt, expired, owner? }] } */
export const GET = handler(async (req) => {
  const auth = await requireUser(req);
  const params = new URL(req.url).searchParams;
  const all = params.get("all") === "1";
  const userId = params.get("userId") ?? undefined;
  if ((all || (userId && userId !== auth.user.id)) && auth.user.role !== "admin") {
    throw new ApiError(403, "forbidden", "Only an admin may list other users' tokens.");
  }
  return json({ tokens: await listTokens(await getPrisma(), all ? undefined : (userId ?? auth.user.id)) });
});

/** { name, expiresInDays? (1-366, default 90), role? (lower than yours) } -> 201 { token, id, name, role, expiresAt } */
export const POST = handler(async (req) => {
  const auth = await requireUser(req);
  const input = parseNewToken(await readObject(req), auth.user.role);
  const { token, view } = await createToken(await getPrisma(), auth, input);
  await recordAudit(auth, { action: "token.create", target: { type: "token", id: view.id, label: view.name }, details: { role: view.role ?? auth.user.role, expiresAt: view.expiresAt } });
  return json({ token, ...view }, 201);
});
