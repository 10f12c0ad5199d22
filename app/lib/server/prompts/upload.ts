// Reading a prompt upload: multipart/form-data with a `file` (and `name`, `replace`, `trim`,
// `normalize`), read no further than the size limit, so an oversized body is a 413 at once.
import { ApiError, invalid, readBodyCapped } from "../http";
import { formatBytes } from "../limits";

export interface Upload {
  bytes: Uint8Array;
  fileName: string;
  fields: Record<string, string>;
}

/** multipart fields are text; "true"/"1"/"on"/"yes" are yes. */
export const flag = (v: string | undefined) => /^(true|1|on|yes)$/i.test(v ?? "");

export async function readUpload(req: Request, maxFileBytes: number): Promise<Upload> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data/i.test(type)) throw new ApiError(415, "invalid", "Send multipart/form-data with a `file` field (and `name`).");
  // The form's own overhead on top of the file.
  const body = await readBodyCapped(req, maxFileBytes + 64 * 1024, () => new ApiError(413, "too_large", `The upload is too large: prompts may be at most ${formatBytes(maxFileBytes)}.`));
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": type } }).formData();
  } catch {
    throw invalid("The multipart/form-data body could not be read.");
  }
  const file = form.get("file");
  if (!file || typeof file === "string") throw invalid("The `file` field is missing (an audio file).");
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") fields[k] = v;
  return { bytes: new Uint8Array(await file.arrayBuffer()), fileName: file.name || "", fields };
}
