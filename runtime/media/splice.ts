// switch_ivr_insert_file for this runtime: `insert` spliced into `orig` at `samplePoint`
// samples, the result written at the session's rate (8 kHz mono 16-bit WAV) over `orig`.
// Both are decoded by ffmpeg, so any format works. The result goes to a temporary file that is
// renamed over `orig` only when complete: a failure leaves `orig` as it was (FreeSWITCH would
// rename a partial file over it).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { wavHeader } from "./wav";

export const SPLICE_RATE = 8000;

function decode(file: string, ffmpeg: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile(
      ffmpeg,
      ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", file, "-vn", "-ac", "1", "-ar", String(SPLICE_RATE), "-f", "s16le", "-"],
      { encoding: "buffer", maxBuffer: 512 * 1024 * 1024, timeout: 120_000 },
      (err, out, stderr) => (err ? reject(new Error(`cannot read ${file}: ${String(stderr).trim().split("\n").pop() || err.message}`)) : resolve(out)),
    ),
  );
}

/** Splices and replaces `orig`; throws (leaving `orig` untouched) when either cannot be read. */
export async function insertFile(orig: string, insert: string, samplePoint: number, ffmpeg = "ffmpeg"): Promise<{ samples: number }> {
  const [a, b] = await Promise.all([decode(orig, ffmpeg), decode(insert, ffmpeg)]);
  // A sample point past the end appends, as FreeSWITCH's read loop stops at the end of orig.
  const at = Math.min(Math.max(0, Math.floor(samplePoint)), a.length / 2) * 2;
  const data = Buffer.concat([a.subarray(0, at), b, a.subarray(at)]);
  const tmp = `${orig}.${randomBytes(4).toString("hex")}.tmp.wav`;
  try {
    await writeFile(tmp, Buffer.concat([wavHeader(SPLICE_RATE, data.length), data]));
    await rename(tmp, orig);
  } finally {
    await rm(tmp, { force: true });
  }
  return { samples: data.length / 2 };
}
