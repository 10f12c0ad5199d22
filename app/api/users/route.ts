import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { adminView, createUser, parseNewUser } from "../../lib/server/auth/users";
import { recordAudit } from "../../lib/server/audit";

export const GET = handler(async (req) => {
  await requireUser(req, "admin");
  const rows = await (await getPrisma()).user.findMany({ orderBy: { createdAt: "asc" }, include: { _count: { select: { apiTokens: true } } } });
  return json({ users: rows.map(adminView) });
});

export const POST = handler(async (req) => {
  const auth = await requireUser(req, "admin");
  const input = parseNewUser(await readObject(req), "editor");
  const user = await createUser(await getPrisma(), input);
  await recordAudit(auth, { action: "user.create", target: { type: "user", id: user.id, label: user.email }, details: { role: user.role, name: user.name, mustChangePassword: !!input.mustChangePassword } });
  return json({ user }, 201);
});
