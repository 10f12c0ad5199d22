import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, noContent, readObject, type Params } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { auditDetails, deleteGateway, parseGatewayInput, updateGateway } from "../../../lib/server/gateways/store";
import { outboundChanged } from "../../../lib/server/gateways/live";

/** Fields absent stay as they are; password: a string sets it, null removes it, absent keeps it. */
export const PUT = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const body = await readObject(req);
  const gateway = await updateGateway(await getPrisma(), id, parseGatewayInput(body));
  const password = body.password === undefined ? "unchanged" : body.password === null ? "removed" : "changed";
  await outboundChanged(auth, "gateway.update", { type: "gateway", id, label: gateway.name }, { ...auditDetails(gateway), password });
  return json({ gateway });
});

export const DELETE = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const gateway = await deleteGateway(await getPrisma(), id);
  await outboundChanged(auth, "gateway.delete", { type: "gateway", id, label: gateway.name });
  return noContent();
});
