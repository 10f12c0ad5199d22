// A tiny libpcap file reader: enough to pull UDP payloads (RTP) out of SIPp's capture files.
import { readFileSync } from "node:fs";

export interface UdpDatagram {
  timeUs: number;
  srcAddress: string;
  srcPort: number;
  dstAddress: string;
  dstPort: number;
  payload: Uint8Array;
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;

export function readPcapUdp(file: string): UdpDatagram[] {
  const buf = readFileSync(file);
  const magicLE = buf.readUInt32LE(0);
  let little: boolean;
  let nanos = false;
  if (magicLE === 0xa1b2c3d4) little = true;
  else if (magicLE === 0xd4c3b2a1) little = false;
  else if (magicLE === 0xa1b23c4d) (little = true), (nanos = true);
  else if (magicLE === 0x4d3cb2a1) (little = false), (nanos = true);
  else throw new Error(`${file}: not a pcap file`);
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20);
  const out: UdpDatagram[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const inclLen = u32(off + 8);
    const frame = buf.subarray(off + 16, off + 16 + inclLen);
    off += 16 + inclLen;
    let ip: number;
    if (linkType === LINKTYPE_ETHERNET) {
      if (frame.readUInt16BE(12) !== 0x0800) continue; // IPv4 only
      ip = 14;
    } else if (linkType === LINKTYPE_LINUX_SLL) {
      if (frame.readUInt16BE(14) !== 0x0800) continue;
      ip = 16;
    } else if (linkType === LINKTYPE_NULL) ip = 4;
    else if (linkType === LINKTYPE_RAW) ip = 0;
    else throw new Error(`${file}: unsupported link type ${linkType}`);
    if (frame[ip] >> 4 !== 4 || frame[ip + 9] !== 17) continue; // IPv4 + UDP
    const ihl = (frame[ip] & 0x0f) * 4;
    const udp = ip + ihl;
    const udpLen = frame.readUInt16BE(udp + 4);
    const addr = (o: number) => `${frame[o]}.${frame[o + 1]}.${frame[o + 2]}.${frame[o + 3]}`;
    out.push({
      timeUs: sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac),
      srcAddress: addr(ip + 12),
      dstAddress: addr(ip + 16),
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: frame.subarray(udp + 8, udp + udpLen),
    });
  }
  return out;
}
