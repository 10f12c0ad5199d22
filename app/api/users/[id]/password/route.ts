import { getPrisma } from "../../../../lib/server/db/client";
import { handler, noContent, readObject, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { setTemporaryPassword } from "../../../../lib/server/auth/users";

/** { password } -> 204 (admin): a temporary password, to be changed at next sign-in; the user's sessions end. */
export const POST = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const { password } = await readObject(req);
  await setTemporaryPassword(await getPrisma(), auth, id, password as string);
  return noContent();
});
