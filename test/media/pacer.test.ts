// The per-worker timer wheel: every stream is woken in the millisecond of its own deadline (never
// before it, one wake-up for all streams due together), keeps its schedule, and stops when removed.
import { afterEach, describe, expect, it, vi } from "vitest";
import { TimerPacer, WheelPacer, type Paced } from "../../runtime/media/pacer";

/** A stream with ptime `period` starting at t0: records when it was woken. */
function stream(t0: number, period: number, stopAfter = Infinity) {
  const woken: number[] = [];
  let n = 0;
  const p: Paced & { woken: number[] } = {
    woken,
    onDue(now: number) {
      woken.push(now);
      // like RtpStream: everything due by now (up to 1 ms early) is sent; the next deadline follows
      while (t0 + n * period <= now + 1) n++;
      return n >= stopAfter ? undefined : t0 + n * period;
    },
  };
  return p;
}

describe("WheelPacer (driven by hand)", () => {
  it("wakes each stream in the millisecond slot of its deadline, never before", () => {
    let now = 1000;
    const wheel = new WheelPacer(() => now);
    const a = stream(1000.2, 20);
    const b = stream(1007.9, 20);
    wheel.add(a, 1000.2);
    wheel.add(b, 1007.9);
    for (; now <= 1100; now += 0.25) wheel.turn(now);
    // a: slots 1000, 1020, ..., 1100; b: 1007, 1027, ... (woken at the slot, up to 1 ms early at most)
    expect(a.woken.map(Math.floor)).toEqual([1000, 1020, 1040, 1060, 1080, 1100]);
    expect(b.woken.map(Math.floor)).toEqual([1007, 1027, 1047, 1067, 1087]);
    for (const [i, t] of a.woken.entries()) expect(t).toBeGreaterThanOrEqual(1000.2 + 20 * i - 1);
    for (const [i, t] of b.woken.entries()) expect(t).toBeGreaterThanOrEqual(1007.9 + 20 * i - 1);
  });

  it("serves every stream due in one turn with one call, after a stall catches all of them up", () => {
    let now = 0;
    const wheel = new WheelPacer(() => now);
    const streams = Array.from({ length: 50 }, (_, i) => stream(i * 0.4, 20));
    for (const s of streams) wheel.add(s, s.woken.length === 0 ? 0 : 0);
    now = 75; // a 75 ms stall
    wheel.turn(now);
    for (const s of streams) expect(s.woken).toEqual([75]); // once each, with every overdue packet
    now = 100;
    wheel.turn(now);
    for (const s of streams) expect(s.woken.length).toBe(2);
    expect(wheel.size).toBe(50);
  });

  it("forgets removed streams and streams that stop themselves", () => {
    let now = 0;
    const wheel = new WheelPacer(() => now);
    const a = stream(0, 20);
    const b = stream(0, 20, 3);
    wheel.add(a, 0);
    wheel.add(b, 0);
    for (; now <= 40; now += 1) wheel.turn(now);
    wheel.remove(a);
    for (; now <= 200; now += 1) wheel.turn(now);
    expect(a.woken.length).toBe(3);
    expect(b.woken.length).toBe(3);
    expect(wheel.size).toBe(0);
  });

  it("a stream re-added while waiting is woken only at its new slot", () => {
    let now = 0;
    const wheel = new WheelPacer(() => now);
    const a = stream(0, 20);
    wheel.add(a, 10);
    wheel.add(a, 30);
    for (; now <= 30; now += 1) wheel.turn(now);
    expect(a.woken).toEqual([30]);
  });
});

describe("pacers on real timers", () => {
  afterEach(() => vi.useRealTimers());

  // Node timers can fire early against performance.now() (a stale loop clock): a timer per stream
  // then wakes it again for the same packet, the wheel's slots absorb that.
  for (const [make, maxWakes] of [
    [() => new WheelPacer(), 10],
    [() => new TimerPacer(), 30],
  ] as const) {
    it(`${make().constructor.name} wakes many streams for every 20 ms deadline, then lets them go`, async () => {
      const pacer = make();
      const t0 = performance.now() + 5;
      const streams = Array.from({ length: 40 }, (_, i) => stream(t0 + (i % 20), 20, 10));
      for (const [i, s] of streams.entries()) pacer.add(s, t0 + (i % 20));
      for (let waited = 0; pacer.size > 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(pacer.size).toBe(0);
      for (const [i, s] of streams.entries()) {
        expect(s.woken.length).toBeGreaterThanOrEqual(1);
        expect(s.woken.length).toBeLessThanOrEqual(maxWakes);
        expect(s.woken[s.woken.length - 1]).toBeGreaterThanOrEqual(t0 + (i % 20) + 9 * 20 - 1); // the 10th packet's time
      }
    });
  }
});
