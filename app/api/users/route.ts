import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { createUser, parseNewUser } from "../../lib/server/auth/users";

export const GET = handler(async (req) => {
  await requireUser(req, "admin");
  const users = await (await getPrisma()).user.findMany({
    orderBy: { createdAt: "asc" },
    select: { id: true, email: true, name: true, role: true, createdAt: true },
  });
  return json({ users });
});

export const POST = handler(async (req) => {
  await requireUser(req, "admin");
  const input = parseNewUser(await readObject(req), "editor");
  const user = await createUser(await getPrisma(), input);
  return json({ user }, 201);
});
