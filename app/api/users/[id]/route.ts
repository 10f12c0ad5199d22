import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { deleteUser, parseUserChange, updateUser } from "../../../lib/server/auth/users";

/** { role?, disabled?, name? } -> { user } (admin); 409 last_admin when no active admin would remain. */
export const PATCH = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const change = parseUserChange(await readObject(req));
  const user = await updateUser(await getPrisma(), auth, id, change);
  return json({ user });
});

/** 204 (admin); never yourself (400), never the last active admin (409 last_admin). */
export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  await deleteUser(await getPrisma(), auth, id);
  return noContent();
});
