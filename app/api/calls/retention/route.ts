import { recordAudit } from "../../../lib/server/audit";
import { getPrisma } from "../../../lib/server/db/client";
import { handler, json, readObject } from "../../../lib/server/http";
import { requireUser } from "../../../lib/server/auth/session";
import { recordingsDir } from "../../../lib/server/paths";
import { applyRetention, getRetention, parseRetention, setRetention } from "../../../lib/server/runtime/retention";

/** How long calls (with their events) and recordings are kept, in days (null: forever) (viewer). */
export const GET = handler(async (req) => {
  await requireUser(req);
  return json({ retention: await getRetention(await getPrisma()) });
});

/** Set the retention (admin, audited) and apply it at once: { callDays, recordingDays } -> { retention, deleted }. */
export const PUT = handler(async (req) => {
  const auth = await requireUser(req, "admin");
  const retention = parseRetention(await readObject(req));
  const prisma = await getPrisma();
  const before = await getRetention(prisma);
  await setRetention(prisma, retention);
  await recordAudit(auth, { action: "settings.update", target: { type: "settings", label: "retention" }, details: { before, after: retention } });
  const deleted = await applyRetention(prisma, { now: new Date(), recordingsDir: recordingsDir(), retention });
  return json({ retention, deleted });
});
