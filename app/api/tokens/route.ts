// API tokens of the signed-in user (Authorization: Bearer <token>); the token is shown once.
import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject, requiredString } from "../../lib/server/http";
import { newToken, sha256 } from "../../lib/server/auth/crypto";
import { requireUser } from "../../lib/server/auth/session";

export const GET = handler(async (req) => {
  const { user } = await requireUser(req);
  const tokens = await (await getPrisma()).apiToken.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
  });
  return json({ tokens });
});

export const POST = handler(async (req) => {
  const { user } = await requireUser(req);
  const name = requiredString(await readObject(req), "name", 200);
  const token = `ivr_${newToken()}`;
  const row = await (await getPrisma()).apiToken.create({ data: { name, userId: user.id, tokenHash: sha256(token) } });
  return json({ token, id: row.id, name: row.name }, 201);
});
