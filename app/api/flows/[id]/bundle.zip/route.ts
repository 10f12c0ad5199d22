// GET ?version=n (default: the latest published version, else the draft) -> application/zip.
import { getPrisma } from "../../../../lib/server/db/client";
import { handler, type Params } from "../../../../lib/server/http";
import { requireUser } from "../../../../lib/server/auth/session";
import { buildBundleZip } from "../../../../lib/server/flows/bundle";
import { versionNumber } from "../../../../lib/server/flows/version-param";

export const GET = handler<Params<"id">>(async (req, { params }) => {
  const { user } = await requireUser(req);
  const { id } = await params;
  const v = new URL(req.url).searchParams.get("version");
  const bundle = await buildBundleZip(await getPrisma(), id, v ? versionNumber(v) : undefined, user.role === "admin");
  return new Response(bundle.zip as unknown as BodyInit, {
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${bundle.name}"`,
      "x-ivr-missing-prompts": String(bundle.missingPrompts.length),
    },
  });
});
