// Local SIP users (admin only): extensions whose phones register to the runtime with digest auth,
// reached by user/NUMBER. Listed with whether each is registered now; passwords are write-only.
import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { createSipUser, listSipUsers, parseSipUserInput } from "../../lib/server/gateways/store";
import { outboundChanged, runtimeGatewayStates } from "../../lib/server/gateways/live";

export const GET = handler(async (req) => {
  await requireUser(req, "admin");
  const users = await listSipUsers(await getPrisma());
  const states = runtimeGatewayStates();
  const registered = new Set(states?.registeredUsers ?? []);
  return json({ users: users.map((u) => ({ ...u, registered: states ? registered.has(u.number) : null })), runtime: states !== undefined });
});

/** { number, password, name?, enabled? } -> 201 */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "admin");
  const sipUser = await createSipUser(await getPrisma(), parseSipUserInput(await readObject(req)));
  await outboundChanged(auth, "sip_user.create", { type: "sip_user", id: sipUser.id, label: sipUser.number }, { name: sipUser.name, enabled: sipUser.enabled });
  return json({ user: sipUser }, 201);
});
