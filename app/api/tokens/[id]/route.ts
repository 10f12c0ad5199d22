import { getPrisma } from "../../../lib/server/db/client";
import { handler, noContent, notFound, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";

export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const { user } = await requireUser(req);
  const { id } = await params;
  const { count } = await (await getPrisma()).apiToken.deleteMany({ where: { id, userId: user.id } });
  if (count === 0) throw notFound("That API token");
  return noContent();
});
