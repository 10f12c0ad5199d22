// Prompts kept in memory per media worker: loaded once while the file is unchanged, reloaded when
// it changes, encoded once per codec; playback copies the cached encoding into frames, identical
// to encoding the samples frame by frame.
import { utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeG711 } from "../../runtime/media/g711";
import { PromptCache } from "../../runtime/media/prompt-cache";
import { FramePlayer, openSource, type PcmLoader } from "../../runtime/media/sources";
import { wavHeader } from "../../runtime/media/wav";
import { makeTempDir } from "./support/tools";

function tone(n: number, f = 440, amp = 8000): Int16Array {
  return Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * f * i) / 8000)));
}

function countingLoader(samples: () => Int16Array): { loader: PcmLoader; calls: () => number } {
  let calls = 0;
  return {
    loader: async (path) => {
      calls++;
      if (path.includes("missing")) return { ok: false, code: "NOTFOUND", reason: `no such file: ${path}`, kind: "notfound" };
      return { ok: true, samples: samples() };
    },
    calls: () => calls,
  };
}

describe("PromptCache", () => {
  it("loads a file once while its mtime and size stay the same, again when either changes", async () => {
    const ids: Record<string, { mtimeMs: number; size: number }> = { "/p/a.wav": { mtimeMs: 1, size: 100 } };
    const src = countingLoader(() => tone(800));
    const cache = new PromptCache({ load: src.loader, stat: async (p) => ids[p] ?? Promise.reject(new Error("ENOENT")) });
    const a1 = await cache.loader("/p/a.wav");
    const a2 = await cache.loader("/p/a.wav");
    expect(src.calls()).toBe(1);
    expect(a1.ok && a2.ok && a1.samples === a2.samples).toBe(true);
    ids["/p/a.wav"] = { mtimeMs: 2, size: 100 };
    await cache.loader("/p/a.wav");
    expect(src.calls()).toBe(2);
    ids["/p/a.wav"] = { mtimeMs: 2, size: 102 };
    await cache.loader("/p/a.wav");
    expect(src.calls()).toBe(3);
    expect(cache.toJSON()).toMatchObject({ hits: 1, loads: 3, entries: 1 });
  });

  it("shares one load between concurrent plays of a new file, and passes failures through uncached", async () => {
    const src = countingLoader(() => tone(800));
    const cache = new PromptCache({ load: src.loader, stat: async (p) => (p.includes("missing") ? Promise.reject(new Error("ENOENT")) : { mtimeMs: 5, size: 1 }) });
    const rs = await Promise.all([1, 2, 3, 4].map(() => cache.loader("/p/b.wav")));
    expect(src.calls()).toBe(1);
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(await cache.loader("/p/missing.wav")).toMatchObject({ ok: false, code: "NOTFOUND" });
    expect(await cache.loader("/p/missing.wav")).toMatchObject({ ok: false, code: "NOTFOUND" });
    expect(src.calls()).toBe(3);
  });

  it("encodes each prompt at most once per codec, exactly like encoding it whole", async () => {
    const samples = tone(1600, 1000, 20000);
    const cache = new PromptCache({ load: async () => ({ ok: true, samples }), stat: async () => ({ mtimeMs: 1, size: 1 }) });
    const r1 = await cache.loader("/p/c.wav");
    const r2 = await cache.loader("/p/c.wav");
    if (!r1.ok || !r2.ok) throw new Error("load failed");
    const u = r1.encoded!("PCMU");
    expect(r2.encoded!("PCMU")).toBe(u);
    expect(Buffer.from(u).equals(Buffer.from(encodeG711("PCMU", samples)))).toBe(true);
    expect(Buffer.from(r2.encoded!("PCMA")).equals(Buffer.from(encodeG711("PCMA", samples)))).toBe(true);
    expect(cache.toJSON().encodings).toBe(2);
  });

  it("evicts the least recently used prompts beyond its byte bound", async () => {
    const ids: Record<string, { mtimeMs: number; size: number }> = {};
    const src = countingLoader(() => tone(8000)); // 16 000 bytes each
    const cache = new PromptCache({ load: src.loader, stat: async (p) => (ids[p] ??= { mtimeMs: 1, size: 1 }), maxBytes: 40_000 });
    await cache.loader("/p/1.wav");
    await cache.loader("/p/2.wav");
    await cache.loader("/p/1.wav"); // 1 is now the most recent
    await cache.loader("/p/3.wav"); // over the bound: 2 goes
    expect(cache.toJSON()).toMatchObject({ entries: 2, evictions: 1, bytes: 32_000 });
    await cache.loader("/p/1.wav");
    expect(src.calls()).toBe(3);
    await cache.loader("/p/2.wav");
    expect(src.calls()).toBe(4);
  });

  it("checks every file the loader may read (the rate folder's copy first): a change to either is seen", async () => {
    const ids: Record<string, { mtimeMs: number; size: number }> = { "/s/8000/a.wav": { mtimeMs: 1, size: 10 }, "/s/a.wav": { mtimeMs: 1, size: 20 } };
    const src = countingLoader(() => tone(160));
    const cache = new PromptCache({
      load: src.loader,
      stat: async (p) => ids[p] ?? Promise.reject(new Error("ENOENT")),
      candidates: (p) => [p.replace(/\/([^/]+)$/, "/8000/$1"), p],
    });
    await cache.loader("/s/a.wav");
    await cache.loader("/s/a.wav");
    expect(src.calls()).toBe(1);
    ids["/s/8000/a.wav"] = { mtimeMs: 2, size: 10 };
    await cache.loader("/s/a.wav");
    expect(src.calls()).toBe(2);
    delete ids["/s/8000/a.wav"]; // gone: the loader now reads the plain file
    await cache.loader("/s/a.wav");
    expect(src.calls()).toBe(3);
    delete ids["/s/a.wav"];
    expect(await cache.loader("/s/a.wav")).toMatchObject({ ok: true }); // no candidate: straight to the loader
    expect(src.calls()).toBe(4);
  });

  it("sees a rewritten file on disk (real stat)", async () => {
    const tmp = makeTempDir();
    try {
      const file = join(tmp.dir, "p.wav");
      const write = (s: Int16Array) => writeFileSync(file, Buffer.concat([wavHeader(8000, s.byteLength), Buffer.from(s.buffer)]));
      let current = tone(800, 440);
      write(current);
      const cache = new PromptCache({ load: async () => ({ ok: true, samples: current }) });
      const a = await cache.loader(file);
      current = tone(1600, 880);
      write(current);
      utimesSync(file, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
      const b = await cache.loader(file);
      expect(a.ok && b.ok && a.samples.length === 800 && b.samples.length === 1600).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("encoded playback", () => {
  it("frames copied from the cached encoding equal frames encoded from PCM, through a file_string with silence", async () => {
    const samples = tone(1000, 700, 12000); // 6.25 frames: the last one padded
    const cache = new PromptCache({ load: async () => ({ ok: true, samples }), stat: async () => ({ mtimeMs: 1, size: 1 }) });
    const spec = "file_string:///p/x.wav!silence_stream://50!/p/x.wav";
    const a = await openSource(spec, cache.loader, { startSample: 120 });
    const b = await openSource(spec, cache.loader, { startSample: 120 });
    if (!a.ok || !b.ok) throw new Error("open failed");
    const fast = new FramePlayer(a.source, 120);
    const slow = new FramePlayer(b.source, 120);
    expect(fast.canEncode()).toBe(true);
    const pcm = new Int16Array(160);
    let frames = 0;
    for (;;) {
      const out = new Uint8Array(160);
      const gotFast = fast.nextFrameEncoded("PCMA", out);
      const gotSlow = slow.nextFrame(pcm);
      expect(gotFast).toBe(gotSlow);
      if (!gotSlow) break;
      expect(Buffer.from(out).equals(Buffer.from(encodeG711("PCMA", pcm)))).toBe(true);
      frames++;
    }
    expect(frames).toBe(Math.ceil((1000 - 120 + 400 + 1000) / 160));
    expect(fast.samplesPlayed).toBe(slow.samplesPlayed);
  });

  it("falls back to PCM when there is no cached encoding or the volume changes", async () => {
    const plain: PcmLoader = async () => ({ ok: true, samples: tone(320) });
    const r = await openSource("/p/y.wav", plain);
    if (!r.ok) throw new Error("open failed");
    expect(new FramePlayer(r.source).canEncode()).toBe(false);
    const cache = new PromptCache({ load: plain, stat: async () => ({ mtimeMs: 1, size: 1 }) });
    const c = await openSource("/p/y.wav", cache.loader);
    if (!c.ok) throw new Error("open failed");
    const p = new FramePlayer(c.source);
    expect(p.canEncode()).toBe(true);
    p.setVolume(-2);
    expect(p.canEncode()).toBe(false);
    const t = await openSource("tone_stream://%(100,0,440)", cache.loader);
    if (!t.ok) throw new Error("open failed");
    expect(new FramePlayer(t.source).canEncode()).toBe(false); // rendered per play: encoded per frame
  });
});
