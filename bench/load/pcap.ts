// A small libpcap reader for tcpdump's loopback captures (LINKTYPE_NULL, ETHERNET, RAW,
// LINUX_SLL), enough to pull IPv4 UDP datagrams with their capture times. Reads in chunks,
// so a capture of millions of RTP packets never sits in memory whole.
import { closeSync, openSync, readSync } from "node:fs";

export interface Datagram {
  timeUs: number;
  srcPort: number;
  dstPort: number;
  /** A view into the reader's chunk: valid only during the callback. */
  payload: Buffer;
}

const CHUNK = 16 * 1024 * 1024;

/** Calls fn for every IPv4 UDP datagram in the capture, in file order. */
export function forEachUdp(file: string, fn: (d: Datagram) => void): void {
  const fd = openSync(file, "r");
  try {
    let buf = Buffer.alloc(CHUNK);
    let len = readSync(fd, buf, 0, buf.length, null);
    if (len < 24) return;
    const magic = buf.readUInt32LE(0);
    const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    if (!little && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`${file}: not a pcap file`);
    const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const link = u32(buf, 20);
    const ip = link === 0 ? 4 : link === 1 ? 14 : link === 101 ? 0 : link === 113 ? 16 : -1;
    if (ip < 0) throw new Error(`${file}: unsupported link type ${link}`);
    let off = 24;
    const d: Datagram = { timeUs: 0, srcPort: 0, dstPort: 0, payload: buf };
    for (;;) {
      if (off + 16 > len || off + 16 + u32(buf, off + 8) > len) {
        // the next record straddles the chunk: move the tail to the front and read on
        const tail = len - off;
        const need = off + 16 <= len ? 16 + u32(buf, off + 8) : 16;
        if (need > buf.length) {
          const bigger = Buffer.alloc(need * 2);
          buf.copy(bigger, 0, off, len);
          buf = bigger;
        } else buf.copy(buf, 0, off, len);
        const n = readSync(fd, buf, tail, buf.length - tail, null);
        len = tail + n;
        off = 0;
        if (n === 0) return; // a truncated last record (capture stopped mid-write) is dropped
        continue;
      }
      const sec = u32(buf, off);
      const frac = u32(buf, off + 4);
      const incl = u32(buf, off + 8);
      const start = off + 16;
      off = start + incl;
      if (incl < ip + 28 || buf[start + ip] >> 4 !== 4 || buf[start + ip + 9] !== 17) continue;
      const udp = start + ip + (buf[start + ip] & 0x0f) * 4;
      if (udp + 8 > off) continue;
      d.timeUs = sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac);
      d.srcPort = buf.readUInt16BE(udp);
      d.dstPort = buf.readUInt16BE(udp + 2);
      d.payload = buf.subarray(udp + 8, off);
      fn(d);
    }
  } finally {
    closeSync(fd);
  }
}

/** Every datagram, copied out (small captures only). */
export function readUdpCapture(file: string): Datagram[] {
  const out: Datagram[] = [];
  forEachUdp(file, (d) => out.push({ ...d, payload: Buffer.from(d.payload) }));
  return out;
}
