import { getPrisma } from "../../../lib/server/db/client";
import { handler, json } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { flowAnalytics, parseAnalyticsQuery } from "../../../lib/server/analytics";

/** Analytics of a flow version: ?flowId=&version=&since=&until= -> { analytics } (viewer; version defaults to the latest). */
export const GET = handler(async (req) => {
  await requireUser(req);
  const query = parseAnalyticsQuery(new URL(req.url).searchParams);
  return json({ analytics: await flowAnalytics(await getPrisma(), query) });
});
