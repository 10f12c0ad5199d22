// TTS prompts: text + engine + voice, spoken once and cached by all three (the preview and
// the saved prompt share the rendering), then saved through the library like an upload.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { synthesizeToFile, TtsEngineError } from "../../../../runtime/speech/tts-engines";
import { invalid } from "../http";
import { projectRoot } from "../paths";

const cacheDir = () => path.join(projectRoot(), ".ivr-cache", "tts-prompts");
const inflight = new Map<string, Promise<Buffer>>();

/** The WAV for text+engine+voice (cached on disk); a 400 for an unknown engine/voice or bad text. */
export function speak(engine: string, voice: string, text: string): Promise<Buffer> {
  const key = createHash("sha256").update(`${engine}\0${voice}\0${text}`).digest("hex").slice(0, 40);
  const file = path.join(cacheDir(), `${key}.wav`);
  let job = inflight.get(key);
  if (!job) {
    job = (async () => {
      if (existsSync(file)) return readFile(file);
      await mkdir(cacheDir(), { recursive: true });
      const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp.wav`;
      try {
        await synthesizeToFile(engine, voice, text, tmp);
        await rename(tmp, file);
      } catch (e) {
        if (e instanceof TtsEngineError) throw invalid(e.message);
        throw e;
      } finally {
        await rm(tmp, { force: true });
      }
      return readFile(file);
    })().finally(() => inflight.delete(key));
    inflight.set(key, job);
  }
  return job;
}
