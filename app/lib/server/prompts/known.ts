// Which prompt files exist where flows run (for the validator's IVR1030 warning): the prompt
// library, every audio file in the media folder as a flow names it (rate folders folded:
// ivr/8000/x.wav is ivr/x.wav), and the starter sounds the server speaks into it at start.
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { STARTER_SOUNDS, starterSoundsEnabled } from "../../../../runtime/speech/starter-sounds";
import { listAudioFiles } from "../media";
import { mediaDir } from "../paths";

const RATE_FOLDER = /(^|\/)(8000|16000|32000|48000)\/([^/]+)$/;

export async function knownPromptChecker(prisma: PrismaClient, root = mediaDir()): Promise<(path: string) => boolean> {
  const known = new Set<string>();
  for (const p of await prisma.prompt.findMany({ select: { path: true } })) known.add(p.path);
  for (const f of listAudioFiles(root)) known.add(f.path.replace(RATE_FOLDER, "$1$3"));
  if (starterSoundsEnabled()) for (const s of STARTER_SOUNDS) known.add(s.file);
  return (path) => known.has(path.replace(/^\.\//, ""));
}
