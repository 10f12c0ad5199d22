import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FliteTts, TtsError } from "../../runtime/speech/tts";

describe("flite TTS", () => {
  it("synthesizes a WAV once per text+voice and caches it", async () => {
    const tts = new FliteTts({ cacheDir: mkdtempSync(path.join(os.tmpdir(), "tts-")) });
    const [a, b] = await Promise.all([
      tts.synthesize("flite", "slt", "Thank you for calling; -o /etc/passwd"),
      tts.synthesize("flite", "slt", "Thank you for calling; -o /etc/passwd"),
    ]);
    expect(a).toBe(b);
    const buf = readFileSync(a);
    expect(buf.subarray(0, 4).toString()).toBe("RIFF");
    expect(statSync(a).size).toBeGreaterThan(10_000);
    const c = await tts.synthesize("flite", "kal", "Thank you for calling; -o /etc/passwd");
    expect(c).not.toBe(a);
  });

  it("rejects an unknown engine or voice like mod_flite", async () => {
    const tts = new FliteTts({ cacheDir: mkdtempSync(path.join(os.tmpdir(), "tts-")) });
    await expect(tts.synthesize("cepstral", "kal", "x")).rejects.toBeInstanceOf(TtsError);
    await expect(tts.synthesize("flite", "nobody", "x")).rejects.toThrow("Invalid TTS module flite[nobody]!");
  });
});
