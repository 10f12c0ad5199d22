// Where Bridge nodes may call, for the designer (any signed-in user: names only, never a host or
// a secret), and the global outbound limits of the toll-fraud guard (admin may change them).
import { getPrisma } from "../../lib/server/db/client";
import { handler, json, readObject } from "../../lib/server/http";
import { requireUser } from "../../lib/server/auth/session";
import { destinationNames, getOutboundLimits, parseOutboundLimits, setOutboundLimits } from "../../lib/server/gateways/store";
import { outboundChanged } from "../../lib/server/gateways/live";

export const GET = handler(async (req) => {
  await requireUser(req);
  const prisma = await getPrisma();
  return json({ ...(await destinationNames(prisma)), limits: await getOutboundLimits(prisma) });
});

/** Admin only: { limits: { maxCalls, callsPerMinute } } (outbound legs up at once, and started per minute, all gateways together). */
export const PUT = handler(async (req) => {
  const auth = await requireUser(req, "admin");
  const limits = parseOutboundLimits((await readObject(req)).limits);
  await setOutboundLimits(await getPrisma(), limits);
  await outboundChanged(auth, "settings.update", { type: "settings", label: "outboundLimits" }, { outboundLimits: limits });
  return json({ limits });
});
