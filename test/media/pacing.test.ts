import { describe, expect, it } from "vitest";
import { duePackets } from "../../runtime/media/rtp-stream";

describe("duePackets (absolute-deadline pacing)", () => {
  it("sends nothing before the next deadline, one packet at it", () => {
    expect(duePackets(1000 + 18.5, 1000, 1, 20, 10)).toEqual({ send: 0, skip: 0 });
    expect(duePackets(1000 + 19.2, 1000, 1, 20, 10)).toEqual({ send: 1, skip: 0 }); // up to 1 ms early is fine
    expect(duePackets(1000 + 20.3, 1000, 1, 20, 10)).toEqual({ send: 1, skip: 0 });
    expect(duePackets(1000, 1000, 0, 20, 10)).toEqual({ send: 1, skip: 0 }); // packet 0 at t0
  });

  it("catches up after a short stall by sending every missed packet at once", () => {
    // packets 5..9 due by t0 + 180 ms; it is t0 + 185 ms
    expect(duePackets(185, 0, 5, 20, 10)).toEqual({ send: 5, skip: 0 });
  });

  it("after a long stall sends at most the cap and skips the rest, so the next tick is on time", () => {
    // 300 ms stall: packets 5..20 are due (16), cap 10
    const r = duePackets(400, 0, 5, 20, 10);
    expect(r).toEqual({ send: 10, skip: 6 });
    const next = 5 + r.send + r.skip;
    expect(duePackets(400, 0, next, 20, 10)).toEqual({ send: 0, skip: 0 });
    expect(duePackets(420, 0, next, 20, 10)).toEqual({ send: 1, skip: 0 });
  });

  it("never drifts: deadlines stay on the t0 grid whatever the ptime", () => {
    let n = 0;
    let sent = 0;
    // ticks arriving with jitter for 10 s of 30 ms packets
    for (let now = 0; now <= 10_000; now += 7 + (n % 5)) {
      const r = duePackets(now, 0, n, 30, 10);
      n += r.send + r.skip;
      sent += r.send;
    }
    expect(sent).toBe(Math.floor(10_000 / 30) + 1);
  });
});
