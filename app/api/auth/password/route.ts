import { getPrisma } from "../../../lib/server/db/client";
import { handler, noContent, optionalString, readObject } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { changeOwnPassword } from "../../../lib/server/auth/users";

/** { currentPassword, newPassword } -> 204 (any role; open with a temporary password): your other sessions end. */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "viewer", { passwordChange: true });
  const body = await readObject(req);
  const current = optionalString(body, "currentPassword", 1000) ?? "";
  const next = optionalString(body, "newPassword", 1000) ?? "";
  await changeOwnPassword(await getPrisma(), auth, current, next);
  return noContent();
});
