import { getPrisma } from "../../../../lib/server/db/client";
import { handler, invalid, json, readObject, type Params } from "../../../../lib/server/http";
import { publicOrigin } from "../../../../lib/server/hosts";
import { requireUser } from "../../../../lib/server/auth/session";
import { DEFAULT_RESET_HOURS, issueResetLink } from "../../../../lib/server/auth/users";

/** { expiresInHours? (1-168, default 24) } -> 201 { url, expiresAt } (admin): a one-time link, shown once. */
export const POST = handler<Params<"id">>(async (req, { params }) => {
  const auth = await requireUser(req, "admin");
  const { id } = await params;
  const hours = (await readObject(req)).expiresInHours ?? DEFAULT_RESET_HOURS;
  if (typeof hours !== "number") throw invalid("expiresInHours must be a number of hours.");
  const { token, expiresAt } = await issueResetLink(await getPrisma(), auth, id, hours);
  // The token rides in the fragment: browsers never send it to a server (logs, Referer).
  // The origin people use: IVR_PUBLIC_URL, else the Host this admin reached (the gate has
  // already refused any Host not on the allow-list).
  const here = new URL(req.url);
  const origin = publicOrigin()?.origin ?? `${here.protocol}//${req.headers.get("host") ?? here.host}`;
  return json({ url: `${origin}/reset-password#token=${token}`, expiresAt: expiresAt.toISOString() }, 201);
});
