// The load bench's receiver-side RTP analysis (fixtures/rtp-analyze.ts): lateness against each
// stream's own schedule, slipped streams, skipped frames, loss, and the pcap reader it runs on.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RtpAnalyzer } from "../../fixtures/rtp-analyze";
import { forEachUdp, type Datagram } from "../../fixtures/pcap-udp";

function rtp(seq: number, ts: number, ssrc = 7, pt = 8): Buffer {
  const b = Buffer.alloc(12 + 160);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

const dg = (ms: number, srcPort: number, payload: Buffer): Datagram => ({ timeUs: Math.round(ms * 1000), srcPort, dstPort: 6000, payload });

describe("RtpAnalyzer", () => {
  it("reads lateness against the stream's own best offset, not its first packet", () => {
    const a = new RtpAnalyzer(20000, 20999);
    // packet 0 is 3 ms late; packets 1..99 on time; packet 50 is 7 ms late
    for (let i = 0; i < 100; i++) a.add(dg(1000 + 20 * i + (i === 0 ? 3 : i === 50 ? 7 : 0), 20000, rtp(100 + i, 5000 + 160 * i)));
    const r = a.report();
    expect(r.streams).toBe(1);
    expect(r.packets).toBe(100);
    expect(r.lateMs.max).toBeCloseTo(7, 3);
    expect(r.lateMs.p50).toBe(0);
    expect(r.slipped).toBe(0);
    expect(r.lost).toBe(0);
  });

  it("counts a stream that fell a packet time behind as slipped, and frames skipped to resynchronise", () => {
    const a = new RtpAnalyzer(20000, 20999);
    let t = 0;
    for (let i = 0; i < 50; i++) a.add(dg((t += 20), 20002, rtp(i, 160 * i, 1)));
    // stream 2 stalls 300 ms at packet 20, then skips 5 frames (timestamp jumps, sequence does not)
    for (let i = 0; i < 40; i++) {
      const late = i >= 20 && i < 25 ? 300 - (i - 20) * 20 : 0;
      const ts = i < 25 ? 160 * i : 160 * (i + 5);
      a.add(dg(20 * (i < 25 ? i : i + 5) + late, 20004, rtp(i, ts, 2)));
    }
    const r = a.report();
    expect(r.streams).toBe(2);
    expect(r.slipped).toBe(1);
    expect(r.skippedFrames).toBe(5);
    expect(r.lateMs.max).toBeCloseTo(300, 3);
  });

  it("keys streams by port and SSRC, extends wrapping sequence numbers, counts gaps and duplicates", () => {
    const a = new RtpAnalyzer(20000, 20999);
    for (let i = 0; i < 10; i++) if (i !== 4) a.add(dg(20 * i, 20000, rtp(65530 + i, 2 ** 32 - 800 + 160 * i, 9)));
    a.add(dg(200, 20000, rtp(65531, 2 ** 32 - 800 + 160, 9))); // a duplicate
    a.add(dg(200, 20000, rtp(65530 + 10, 2 ** 32 - 800 + 1600, 9))); // and on after it
    for (let i = 0; i < 3; i++) a.add(dg(20 * i, 20000, rtp(i, 160 * i, 10))); // same port, a later call
    a.add(dg(0, 30000, rtp(1, 1))); // not from the server's ports
    a.add(dg(0, 20000, rtp(1, 1, 9, 101))); // telephone-event: not audio
    const r = a.report();
    expect(r.streams).toBe(2);
    expect(r.lost).toBe(1);
    expect(r.duplicates).toBe(1);
    expect(r.packets).toBe(13);
    expect(r.lateMs.max).toBeLessThan(0.001);
  });
});

describe("forEachUdp", () => {
  it("reads a pcap whose records straddle its read chunks", () => {
    const dir = mkdtempSync(join(tmpdir(), "pcap-"));
    try {
      const header = Buffer.alloc(24);
      header.writeUInt32LE(0xa1b2c3d4, 0);
      header.writeUInt16LE(2, 4);
      header.writeUInt16LE(4, 6);
      header.writeUInt32LE(65535, 16);
      header.writeUInt32LE(101, 20); // LINKTYPE_RAW: IPv4 directly
      const records: Buffer[] = [header];
      const count = 120_000; // ~25 MB: more than one 16 MB chunk
      for (let i = 0; i < count; i++) {
        const payload = rtp(i, 160 * i);
        const ip = Buffer.alloc(28);
        ip[0] = 0x45;
        ip[9] = 17;
        ip.writeUInt16BE(20000 + (i % 7), 20);
        ip.writeUInt16BE(6000, 22);
        const rec = Buffer.alloc(16);
        rec.writeUInt32LE(Math.floor(i / 50), 0);
        rec.writeUInt32LE((i % 50) * 20000, 4);
        rec.writeUInt32LE(28 + payload.length, 8);
        rec.writeUInt32LE(28 + payload.length, 12);
        records.push(rec, ip, payload);
      }
      const file = join(dir, "x.pcap");
      writeFileSync(file, Buffer.concat(records));
      let n = 0;
      let ok = true;
      forEachUdp(file, (d) => {
        ok &&= d.srcPort === 20000 + (n % 7) && d.payload.readUInt16BE(2) === (n & 0xffff) && d.timeUs === Math.floor(n / 50) * 1e6 + (n % 50) * 20000;
        n++;
      });
      expect(n).toBe(count);
      expect(ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
