import { describe, expect, it } from "vitest";
import {
  RtpPacket,
  uint16Add,
  uint16Diff,
  uint16Gt,
  uint32Add,
  uint32Diff,
  uint32Gt,
  writeRtpHeader,
} from "../../runtime/media/rtp";
import { readPcapUdp } from "./support/pcap";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

function parseOk(buf: Uint8Array): RtpPacket {
  const r = RtpPacket.parse(buf);
  if (!r.ok) throw new Error(r.reason);
  return r.packet;
}

describe("RtpPacket", () => {
  it("parses a real SIPp telephone-event packet and serialises it back byte for byte", () => {
    const [first] = readPcapUdp("/usr/share/sip-tester/dtmf_2833_1.pcap");
    const p = parseOk(first.payload);
    expect(p.marker).toBe(true);
    expect(p.payloadType).toBe(101);
    expect(p.sequenceNumber).toBe(0x1f30);
    expect(p.timestamp).toBe(0x33e0);
    expect(p.ssrc).toBe(0x0e05384e);
    expect(Array.from(p.payload)).toEqual([0x01, 0x0a, 0x00, 0x00]);
    expect(p.serialize().equals(Buffer.from(first.payload))).toBe(true);
  });

  it("round-trips every packet of SIPp's PCMA capture", () => {
    const packets = readPcapUdp("/usr/share/sip-tester/g711a.pcap");
    expect(packets.length).toBeGreaterThan(200);
    for (const d of packets) {
      const p = parseOk(d.payload);
      expect(p.payloadType).toBe(8);
      expect(p.payload.length).toBe(240);
      expect(p.serialize().equals(Buffer.from(d.payload))).toBe(true);
    }
  });

  it("handles CSRCs, a header extension and padding (byte-exact fixture)", () => {
    const fixture = hex(
      "b2 e0 ff ff  fe dc ba 98  01 02 03 04" + // V=2 P X CC=2, M PT=96, seq 65535, ts, ssrc
        "11 11 11 11  22 22 22 22" + // CSRCs
        "be de 00 01  10 aa 00 00" + // extension: profile 0xBEDE, 1 word
        "de ad be ef" + // payload
        "00 00 03", // padding: 3 bytes
    );
    const p = parseOk(fixture);
    expect(p.marker).toBe(true);
    expect(p.payloadType).toBe(96);
    expect(p.sequenceNumber).toBe(65535);
    expect(p.timestamp).toBe(0xfedcba98);
    expect(p.ssrc).toBe(0x01020304);
    expect(p.csrcs).toEqual([0x11111111, 0x22222222]);
    expect(p.extension?.profile).toBe(0xbede);
    expect(Array.from(p.extension!.data)).toEqual([0x10, 0xaa, 0, 0]);
    expect(p.paddingSize).toBe(3);
    expect(Array.from(p.payload)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    // payload is a view into the datagram, not a copy
    expect(p.payload.buffer).toBe(fixture.buffer);
    expect(p.serializeSize).toBe(fixture.length);
    expect(p.serialize().equals(fixture)).toBe(true);
  });

  it("serialises a new packet into exactly its size; writeRtpHeader matches", () => {
    const p = new RtpPacket({ payloadType: 0, sequenceNumber: 70000, timestamp: 2 ** 32 + 5, ssrc: 0xffffffff, payload: new Uint8Array(160).fill(0xff) });
    const buf = p.serialize();
    expect(buf.length).toBe(172);
    const back = parseOk(buf);
    expect(back.sequenceNumber).toBe(70000 & 0xffff);
    expect(back.timestamp).toBe(5);
    expect(back.ssrc).toBe(0xffffffff);
    const manual = new Uint8Array(12);
    writeRtpHeader(manual, 0, false, 70000 & 0xffff, 5, 0xffffffff);
    expect(Buffer.from(manual).equals(buf.subarray(0, 12))).toBe(true);
  });

  it("rejects invalid packets without throwing", () => {
    const good = hex("80 00 00 01 00 00 00 02 00 00 00 03 ff");
    expect(RtpPacket.parse(good).ok).toBe(true);
    const cases: [string, Uint8Array][] = [
      ["empty", new Uint8Array(0)],
      ["too short", good.subarray(0, 11)],
      ["version 1", hex("40 00 00 01 00 00 00 02 00 00 00 03 ff")],
      ["version 0 (e.g. STUN)", hex("00 01 00 00 21 12 a4 42 00 00 00 00 00 00 00 00")],
      ["CSRC count beyond the datagram", hex("8f 00 00 01 00 00 00 02 00 00 00 03 ff")],
      ["extension beyond the datagram", hex("90 00 00 01 00 00 00 02 00 00 00 03 be de 00 05")],
      ["padding count 0", hex("a0 00 00 01 00 00 00 02 00 00 00 03 ff 00")],
      ["padding longer than the packet", hex("a0 00 00 01 00 00 00 02 00 00 00 03 ff 40")],
    ];
    for (const [name, buf] of cases) {
      const r = RtpPacket.parse(buf);
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
    }
  });
});

describe("wraparound helpers", () => {
  it("uint16", () => {
    expect(uint16Add(65535, 1)).toBe(0);
    expect(uint16Add(65530, 10)).toBe(4);
    expect(uint16Diff(2, 65534)).toBe(4);
    expect(uint16Diff(65534, 2)).toBe(-4);
    expect(uint16Gt(0, 65535)).toBe(true);
    expect(uint16Gt(65535, 0)).toBe(false);
    expect(uint16Gt(5, 5)).toBe(false);
    expect(uint16Gt(100, 50)).toBe(true);
  });
  it("uint32", () => {
    expect(uint32Add(0xffffffff, 1)).toBe(0);
    expect(uint32Add(0xffffff00, 0x200)).toBe(0x100);
    expect(uint32Diff(0x10, 0xfffffff0)).toBe(0x20);
    expect(uint32Diff(0xfffffff0, 0x10)).toBe(-0x20);
    expect(uint32Gt(0, 0xffffffff)).toBe(true);
    expect(uint32Gt(0x80000000, 0)).toBe(false); // exactly half way: not "after"
    expect(uint32Gt(0x7fffffff, 0)).toBe(true);
  });
});
