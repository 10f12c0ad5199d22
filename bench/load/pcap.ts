// A small libpcap reader for tcpdump's loopback captures (LINKTYPE_NULL, ETHERNET, RAW,
// LINUX_SLL), enough to pull IPv4 UDP datagrams with their capture times.
import { readFileSync } from "node:fs";

export interface Datagram {
  timeUs: number;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

export function readUdpCapture(file: string): Datagram[] {
  const buf = readFileSync(file);
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`${file}: not a pcap file`);
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const link = u32(20);
  const ipOffset = link === 0 ? 4 : link === 1 ? 14 : link === 101 ? 0 : link === 113 ? 16 : -1;
  if (ipOffset < 0) throw new Error(`${file}: unsupported link type ${link}`);
  const out: Datagram[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const frame = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const ip = ipOffset;
    if (frame.length < ip + 28 || frame[ip] >> 4 !== 4 || frame[ip + 9] !== 17) continue;
    const udp = ip + (frame[ip] & 0x0f) * 4;
    out.push({
      timeUs: sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac),
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: frame.subarray(udp + 8),
    });
  }
  return out;
}
