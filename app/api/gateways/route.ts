// SIP gateways of the runtime (admin only): list with each one's live state (up/down,
// registration, last OPTIONS ping) from the runtime thread, and create. Passwords are write-only.
import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { auditDetails, createGateway, listGateways, parseGatewayInput } from "../../lib/server/gateways/store";
import { outboundChanged, runtimeGatewayStates } from "../../lib/server/gateways/live";

export const GET = handler(async (req) => {
  await requireUser(req, "admin");
  const gateways = await listGateways(await getPrisma());
  const states = runtimeGatewayStates();
  return json({ gateways: gateways.map((g) => ({ ...g, state: states?.gateways.find((s) => s.name === g.name) ?? null })), runtime: states !== undefined });
});

/** { name, host, port?, username?, password?, register?, callerId?, allow?, maxCalls?, callsPerMinute?, ping?, pingMin?, pingMax?, enabled? } -> 201 */
export const POST = handler(async (req) => {
  const auth = await requireUser(req, "admin");
  const gateway = await createGateway(await getPrisma(), parseGatewayInput(await readObject(req)));
  await outboundChanged(auth, "gateway.create", { type: "gateway", id: gateway.id, label: gateway.name }, auditDetails(gateway));
  return json({ gateway }, 201);
});
