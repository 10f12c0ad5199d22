// Sharding streams over media workers: least loaded first, one worker per affinity key (bridged
// legs), slots given back, refusals and dead workers skipped, port ranges split without overlap.
import { describe, expect, it } from "vitest";
import { defaultMediaWorkers } from "../../runtime/media/engine";
import { splitPortRange, StreamPlacement } from "../../runtime/media/shards";

describe("StreamPlacement", () => {
  it("spreads streams without a key evenly, and fills the emptier worker after closes", () => {
    const p = new StreamPlacement(3);
    const slots = Array.from({ length: 9 }, () => p.place()!);
    expect(p.loads()).toEqual([3, 3, 3]);
    // close the three streams on worker 1: the next three go there
    for (const s of slots.filter((s) => s.worker === 1)) p.release(s.slot);
    expect([p.place()!.worker, p.place()!.worker, p.place()!.worker]).toEqual([1, 1, 1]);
    expect(p.loads()).toEqual([3, 3, 3]);
  });

  it("puts streams with the same affinity key on one worker, whatever the load", () => {
    const p = new StreamPlacement(2);
    const a = p.place("call-A")!;
    p.place();
    p.place();
    const b = p.place("call-A")!; // the second leg
    expect(b.worker).toBe(a.worker);
    expect(p.loads()[a.worker]).toBeGreaterThan(p.loads()[1 - a.worker]);
    // the key is forgotten once both legs are gone: a new call with it is placed by load
    p.release(a.slot);
    p.release(b.slot);
    expect(p.loads()).toEqual([1, 1]);
    const busier = p.place()!.worker;
    expect(p.place("call-A")!.worker).toBe(1 - busier);
  });

  it("places a key at once, so two legs placed back to back meet even before either stream exists", () => {
    const p = new StreamPlacement(4);
    const legs = [p.place("bridge-7")!, p.place("bridge-7")!];
    expect(legs[0].worker).toBe(legs[1].worker);
    expect(legs[0].slot).not.toBe(legs[1].slot);
  });

  it("skips workers that refused or died; a pinned key does not move", () => {
    const p = new StreamPlacement(2);
    const a = p.place("k")!;
    expect(p.place("k", new Set([a.worker]))).toBeUndefined();
    expect(p.place(undefined, new Set([0]))!.worker).toBe(1);
    p.markDead(1);
    for (let i = 0; i < 4; i++) expect(p.place()!.worker).toBe(0);
    p.markDead(0);
    expect(p.place()).toBeUndefined();
    expect(p.anyAlive).toBe(false);
  });

  it("releasing twice or an unknown slot changes nothing", () => {
    const p = new StreamPlacement(2);
    const a = p.place()!;
    p.release(a.slot);
    p.release(a.slot);
    p.release(999);
    expect(p.loads()).toEqual([0, 0]);
  });
});

describe("splitPortRange", () => {
  it("gives each worker a disjoint share with even ports, covering the whole range", () => {
    const parts = splitPortRange([35000, 39999], 3);
    expect(parts[0][0]).toBe(35000);
    expect(parts[2][1]).toBe(39999);
    for (let i = 1; i < parts.length; i++) expect(parts[i][0]).toBe(parts[i - 1][1] + 1);
    for (const [lo] of parts) expect(lo % 2).toBe(0);
    const evens = parts.map(([lo, hi]) => Math.floor((hi - (lo + (lo % 2))) / 2) + 1);
    expect(evens.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(Math.max(...evens) - Math.min(...evens)).toBeLessThanOrEqual(1);
  });

  it("handles odd bounds and refuses more workers than even ports", () => {
    expect(splitPortRange([40001, 40007], 2)).toEqual([
      [40001, 40003],
      [40004, 40007],
    ]);
    expect(splitPortRange([40000, 40000], 1)).toEqual([[40000, 40000]]);
    expect(() => splitPortRange([40001, 40003], 2)).toThrow(/fewer than 2 media workers/);
  });
});

describe("defaultMediaWorkers", () => {
  it("takes IVR_MEDIA_WORKERS, else one per core up to 4", () => {
    expect(defaultMediaWorkers({ IVR_MEDIA_WORKERS: "3" }, 2)).toBe(3);
    expect(defaultMediaWorkers({ IVR_MEDIA_WORKERS: "zero" }, 2)).toBe(2);
    expect(defaultMediaWorkers({}, 1)).toBe(1);
    expect(defaultMediaWorkers({}, 16)).toBe(4);
  });
});
