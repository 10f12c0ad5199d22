// Test audio for SIPp: PCMA RTP in a pcap file (for <exec play_pcap_audio>) with DTMF digits or
// a steady tone, generated here so the test knows exactly what was sent. (SIPp 3.6.1's
// rtp_stream sent no packets at all against our answer in a try, so pcaps it is.)
import { writeFileSync } from "node:fs";
import { encodeG711 } from "../../../runtime/media/g711";

const ROWS: Record<string, number> = { "1": 697, "2": 697, "3": 697, A: 697, "4": 770, "5": 770, "6": 770, B: 770, "7": 852, "8": 852, "9": 852, C: 852, "*": 941, "0": 941, "#": 941, D: 941 };
const COLS: Record<string, number> = { "1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336, "0": 1336, "3": 1477, "6": 1477, "9": 1477, "#": 1477, A: 1633, B: 1633, C: 1633, D: 1633 };

function sines(freqs: number[], ms: number, amplitude: number): Int16Array {
  const n = Math.round(ms * 8);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const f of freqs) v += Math.sin((2 * Math.PI * f * i) / 8000);
    out[i] = Math.round(v * amplitude);
  }
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A libpcap file (Ethernet/IPv4/UDP) of PCMA RTP packets, 20 ms apart; SIPp rewrites addresses. */
function rtpPcap(pcm: Int16Array, pt = 8): Buffer {
  const alaw = encodeG711("PCMA", pcm);
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const packets: Buffer[] = [global];
  const ssrc = 0x1234abcd;
  for (let i = 0, seq = 0; i + 160 <= alaw.length; i += 160, seq++) {
    const rtp = Buffer.alloc(12 + 160);
    rtp[0] = 0x80;
    rtp[1] = (seq === 0 ? 0x80 : 0) | pt;
    rtp.writeUInt16BE(seq, 2);
    rtp.writeUInt32BE(seq * 160, 4);
    rtp.writeUInt32BE(ssrc, 8);
    Buffer.from(alaw.subarray(i, i + 160)).copy(rtp, 12);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(10000, 0);
    udp.writeUInt16BE(10002, 2);
    udp.writeUInt16BE(8 + rtp.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 8 + rtp.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, udp, rtp]);
    const rec = Buffer.alloc(16);
    const us = seq * 20_000;
    rec.writeUInt32LE(1_700_000_000 + Math.floor(us / 1e6), 0);
    rec.writeUInt32LE(us % 1e6, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    packets.push(rec, frame);
  }
  return Buffer.concat(packets);
}

/** Leading silence, then each digit as a 120 ms dual tone (-10 dBm0-ish) with 200 ms gaps. */
export function writeDtmfPcap(file: string, digits: string, { leadMs = 300, toneMs = 120, gapMs = 200 } = {}): number {
  const parts = [sines([], leadMs, 0)];
  for (const d of digits) {
    const row = ROWS[d.toUpperCase()];
    const col = COLS[d.toUpperCase()];
    if (!row || !col) throw new Error(`not a DTMF digit: ${d}`);
    parts.push(sines([row, col], toneMs, 5000), sines([], gapMs, 0));
  }
  const pcm = concat(parts);
  writeFileSync(file, rtpPcap(pcm));
  return pcm.length / 8;
}

/** A steady sine tone as PCMA RTP; returns the samples sent (before A-law). */
export function writeTonePcap(file: string, freq: number, ms: number, amplitude = 8000): Int16Array {
  const pcm = sines([freq], ms, amplitude);
  writeFileSync(file, rtpPcap(pcm));
  return pcm;
}
