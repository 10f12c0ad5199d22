import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { deleteSipUser, parseSipUserInput, updateSipUser } from "../../../lib/server/gateways/store";
import { outboundChanged } from "../../../lib/server/gateways/live";

/** Fields absent stay as they are (the password too). */
export const PUT = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const body = await readObject(req);
  const sipUser = await updateSipUser(await getPrisma(), id, parseSipUserInput(body));
  await outboundChanged(auth, "sip_user.update", { type: "sip_user", id, label: sipUser.number }, { name: sipUser.name, enabled: sipUser.enabled, password: body.password === undefined ? "unchanged" : "changed" });
  return json({ user: sipUser });
});

export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const sipUser = await deleteSipUser(await getPrisma(), id);
  await outboundChanged(auth, "sip_user.delete", { type: "sip_user", id, label: sipUser.number });
  return noContent();
});
