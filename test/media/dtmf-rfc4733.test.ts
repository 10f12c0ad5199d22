import { describe, expect, it } from "vitest";
import { buildDtmfPackets, parseTelephoneEvent, Rfc4733Receiver, type DtmfDigitEvent } from "../../runtime/media/dtmf-rfc4733";
import { RtpPacket } from "../../runtime/media/rtp";
import { readPcapUdp } from "./support/pcap";

const PCAPS: Record<string, string> = { 0: "0", 1: "1", 2: "2", 3: "3", 4: "4", 5: "5", 6: "6", 7: "7", 8: "8", 9: "9", "*": "star", "#": "pound" };

interface Pkt {
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

/** Packets for one press of `digit` starting at RTP timestamp `ts`, as our sender builds them. */
function press(digit: string, ts: number, durationMs = 100): Pkt[] {
  return buildDtmfPackets(digit, { durationMs }).map((p) => ({ timestamp: ts, marker: p.marker, payload: p.payload }));
}

function feed(rx: Rfc4733Receiver, packets: Pkt[], stepMs = 20): DtmfDigitEvent[] {
  const out: DtmfDigitEvent[] = [];
  packets.forEach((p, i) => out.push(...rx.processInput(p, i * stepMs)));
  return out;
}

describe("RFC 4733 receiver on SIPp's pcaps", () => {
  for (const [digit, name] of Object.entries(PCAPS)) {
    it(`dtmf_2833_${name}.pcap gives exactly one '${digit}'`, () => {
      const rx = new Rfc4733Receiver();
      const events: DtmfDigitEvent[] = [];
      const datagrams = readPcapUdp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`);
      expect(datagrams.length).toBe(10);
      const t0 = datagrams[0].timeUs;
      for (const d of datagrams) {
        const r = RtpPacket.parse(d.payload);
        if (!r.ok || r.packet.payloadType !== 101) continue;
        events.push(...rx.processInput(r.packet, (d.timeUs - t0) / 1000));
      }
      events.push(...rx.checkTimeout(10_000));
      expect(events.map((e) => e.digit)).toEqual([digit]);
      expect(events[0]).toMatchObject({ durationSamples: 2240, durationMs: 280, volume: 10, endedBy: "end-packet" });
      // the 2 redundant end packets were recognised as such
      expect(rx.toJSON().duplicates).toBe(2);
    });
  }
});

describe("RFC 4733 receiver on SIPp's pcaps played one after another", () => {
  it("unrelated timestamps across files (star 85760 then 0 at 17632) are still separate presses", () => {
    const rx = new Rfc4733Receiver();
    const events: DtmfDigitEvent[] = [];
    let now = 0;
    for (const name of ["1", "star", "0", "pound", "0", "0"]) {
      now += 200; // the pause between two key presses
      for (const d of readPcapUdp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`)) {
        const r = RtpPacket.parse(d.payload);
        if (r.ok) events.push(...rx.processInput(r.packet, (now += 20)));
      }
    }
    // the same file twice repeats timestamps: its fresh start packet, 100+ ms after the end, is a new press
    expect(events.map((e) => e.digit).join("")).toBe("1*0#00");
    expect(rx.toJSON().duplicates).toBe(12);
  });
});

describe("RFC 4733 receiver on synthetic sequences", () => {
  it("a start packet reordered just behind its own end packets is not a second press", () => {
    const rx = new Rfc4733Receiver();
    const p = press("6", 7000, 40);
    const ev = [...rx.processInput(p[1], 0), ...rx.processInput(p[2], 10), ...rx.processInput(p[0], 30)];
    expect(ev.map((e) => e.digit)).toEqual(["6"]);
  });

  it("same digit twice = two presses (new timestamp), in order", () => {
    const rx = new Rfc4733Receiver();
    const ev = feed(rx, [...press("5", 1000), ...press("5", 3000), ...press("#", 6000)]);
    expect(ev.map((e) => e.digit)).toEqual(["5", "5", "#"]);
    expect(ev.map((e) => e.timestamp)).toEqual([1000, 3000, 6000]);
    expect(ev[0].durationSamples).toBe(800);
  });

  it("loss of the first (marker) packets still reports the digit", () => {
    const rx = new Rfc4733Receiver();
    expect(feed(rx, press("7", 500, 200).slice(3)).map((e) => e.digit)).toEqual(["7"]);
  });

  it("loss of every end packet: reported when the next press begins, or after the timeout", () => {
    const rx = new Rfc4733Receiver({ endTimeoutMs: 300 });
    const noEnd = (d: string, ts: number) => press(d, ts).filter((p) => !parseTelephoneEvent(p.payload)!.end);
    const ev = feed(rx, [...noEnd("1", 100), ...press("2", 5000)]);
    expect(ev.map((e) => `${e.digit}:${e.endedBy}`)).toEqual(["1:next-event", "2:end-packet"]);
    expect(rx.processInput(noEnd("3", 9000)[0], 1000)).toEqual([]);
    expect(rx.inProgress).toBe(true);
    expect(rx.checkTimeout(1200)).toEqual([]);
    const late = rx.checkTimeout(1300);
    expect(late.map((e) => `${e.digit}:${e.endedBy}`)).toEqual(["3:timeout"]);
    expect(rx.checkTimeout(5000)).toEqual([]);
    expect(rx.toJSON().endsMissed).toBe(2);
  });

  it("reordering and duplicates: one digit each, stragglers of an ended press are dropped", () => {
    const rx = new Rfc4733Receiver();
    const a = press("4", 2000, 120);
    const b = press("9", 4000, 120);
    // an end packet overtakes the continuation packets; packets duplicated; an old press's packet arrives late
    const older = press("1", 1000)[2]; // a packet from a press before both, arriving last
    expect(a.length).toBe(8);
    const shuffled = [a[0], a[1], a[5], a[2], a[3], a[5], a[6], b[0], a[4], b[2], b[1], b[3], b[4], b[5], b[6], b[7], a[7], older];
    const ev = feed(rx, shuffled);
    expect(ev.map((e) => e.digit)).toEqual(["4", "9"]);
    expect(ev[0].durationSamples).toBe(960);
    expect(rx.toJSON().stale).toBeGreaterThan(0);
  });

  it("timestamps that wrap around 2^32 keep their order", () => {
    const rx = new Rfc4733Receiver();
    const ev = feed(rx, [...press("1", 0xffffff00), ...press("2", 0x00000100)]);
    expect(ev.map((e) => e.digit)).toEqual(["1", "2"]);
  });

  it("ignores short payloads and unknown events without throwing", () => {
    const rx = new Rfc4733Receiver();
    expect(rx.processInput({ timestamp: 1, marker: true, payload: new Uint8Array(2) })).toEqual([]);
    const flash = new Uint8Array([16, 0x8a, 0x03, 0x20]);
    expect(rx.processInput({ timestamp: 2, marker: true, payload: flash })).toEqual([]);
    expect(rx.toJSON()).toMatchObject({ malformed: 1, unknownEvents: 1, digits: 0 });
  });
});

describe("RFC 4733 sender", () => {
  it("builds marker first, growing durations, 3 identical end packets", () => {
    const pk = buildDtmfPackets("#", { durationMs: 100, ptimeMs: 20 });
    const te = pk.map((p) => parseTelephoneEvent(p.payload)!);
    expect(pk.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(te.map((e) => e.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(te.map((e) => e.end)).toEqual([false, false, false, false, true, true, true]);
    expect(te.every((e) => e.event === 11 && e.volume === 10)).toBe(true);
    expect(pk.map((p) => p.advancesClock)).toEqual([true, true, true, true, true, false, false]);
    expect(() => buildDtmfPackets("x")).toThrow(RangeError);
  });

  it("a very short digit still has one marked packet", () => {
    const pk = buildDtmfPackets("1", { durationMs: 5 });
    expect(pk[0].marker).toBe(true);
    expect(pk[0].end).toBe(true);
  });
});
