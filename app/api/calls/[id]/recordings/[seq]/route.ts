import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { getPrisma } from "../../../../../lib/server/db/client";
import { handler, type Params } from "../../../../../lib/server/http";
import { requireUser } from "../../../../../lib/server/auth/session";
import { recordingsDir } from "../../../../../lib/server/paths";
import { recordingPath } from "../../../../../lib/server/runtime/calls";

const TYPES: Record<string, string> = { ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".flac": "audio/flac" };

/** The recording a call's event made (viewer): ?download=1 as an attachment. Only files inside the recordings folder. */
export const GET = handler<Params<"id" | "seq">>(async (req, { params }) => {
  await requireUser(req);
  const { id, seq } = await params;
  const file = await recordingPath(await getPrisma(), id, seq, recordingsDir());
  const size = (await stat(file)).size;
  const name = path.basename(file).replace(/[^A-Za-z0-9._-]/g, "_");
  const headers: Record<string, string> = {
    "content-type": TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": String(size),
    "cache-control": "private, no-cache",
    "x-content-type-options": "nosniff",
  };
  if (new URL(req.url).searchParams.get("download") === "1") headers["content-disposition"] = `attachment; filename="${name}"`;
  return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, { headers });
});
