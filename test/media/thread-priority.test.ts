// Media threads can run at their own nice value (Linux): the worker's changes, the main thread's not.
import os from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultMediaNice, MediaEngine } from "../../runtime/media/engine";
import { currentThreadId, setThreadNice } from "../../runtime/media/thread-priority";
import { makeTempDir } from "./support/tools";

const linux = process.platform === "linux";

describe.runIf(linux)("media thread priority", () => {
  it("a media worker takes the nice value it is given; the main thread keeps its own", async () => {
    const tmp = makeTempDir();
    const before = os.getPriority();
    const target = Math.min(19, before + 5); // raising nice needs no privilege
    const engine = await MediaEngine.start({ cacheDir: join(tmp.dir, "cache"), portRange: [44800, 44899], workers: 2, nice: target });
    try {
      const st = await engine.stats();
      expect(st.workers.map((w) => w.priority)).toEqual([
        { ok: true, nice: target },
        { ok: true, nice: target },
      ]);
      expect(os.getPriority()).toBe(before);
      expect(os.getPriority(currentThreadId()!)).toBe(before);
    } finally {
      await engine.close();
      tmp.cleanup();
    }
  });

  it("by default asks for 10 below the process's nice value; IVR_MEDIA_NICE sets it or turns it off", () => {
    expect(defaultMediaNice({}, 0)).toBe(-10);
    expect(defaultMediaNice({}, 5)).toBe(-5);
    expect(defaultMediaNice({}, -15)).toBe(-20);
    expect(defaultMediaNice({ IVR_MEDIA_NICE: "3" }, 0)).toBe(3);
    expect(defaultMediaNice({ IVR_MEDIA_NICE: "off" }, 0)).toBeUndefined();
    expect(defaultMediaNice({ IVR_MEDIA_NICE: "loud" }, 0)).toBe(-10);
  });

  it("reports a refused or invalid value instead of failing", async () => {
    expect(setThreadNice(42)).toMatchObject({ ok: false, reason: expect.stringMatching(/-20\.\.19/) });
    const tmp = makeTempDir();
    const engine = await MediaEngine.start({ cacheDir: join(tmp.dir, "cache"), portRange: [44900, 44999], workers: 1, nice: null });
    try {
      expect((await engine.stats()).workers[0].priority).toBeUndefined();
    } finally {
      await engine.close();
      tmp.cleanup();
    }
  });
});
