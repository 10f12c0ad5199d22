// Turns a loopback capture into the numbers the load bench reports. RTP (what the server sends):
// per-packet lateness against each stream's own schedule — packet i is due at the stream's best
// (earliest) capture-time-minus-RTP-time offset plus its RTP timestamp / 8 kHz, so a stream that is
// on time everywhere reads 0 — streams that slipped (some packet at least one packet time behind),
// frames skipped (timestamp jumps), loss from sequence gaps. SIP: INVITE -> first 200 OK.
import type { Datagram } from "./pcap";

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function percentiles(values: ArrayLike<number>): Percentiles {
  if (!values.length) return { n: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN };
  const s = Float64Array.from(values).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: s[s.length - 1] };
}

export interface RtpReport {
  streams: number;
  packets: number;
  lateMs: Percentiles;
  /** Streams with at least one packet a packet time (20 ms) or more behind their own schedule. */
  slipped: number;
  /** Frames the sender skipped to resynchronise (RTP timestamp advanced more than the sequence). */
  skippedFrames: number;
  lost: number;
  duplicates: number;
}

const SLIP_MS = 20;

interface StreamState {
  index: number;
  count: number;
  prevSeq: number;
  prevTs: number;
  prevExtSeq: number;
  prevExtTs: number;
  minSeq: number;
  maxSeq: number;
  bestOffset: number;
  skipped: number;
  seen: Set<number>;
}

/**
 * Accumulates the server's audio RTP packets (PT 0/8 from source ports [lo, hi]) in capture order.
 * Memory: 12 bytes per packet, so tens of millions of packets are fine.
 */
export class RtpAnalyzer {
  private readonly streams = new Map<number, StreamState>();
  private offsets = new Float64Array(1 << 20);
  private owner = new Int32Array(1 << 20);
  private readonly states: StreamState[] = [];
  private packets = 0;
  private duplicates = 0;

  constructor(
    private readonly lo: number,
    private readonly hi: number,
  ) {}

  add(d: Datagram): void {
    const p = d.payload;
    if (d.srcPort < this.lo || d.srcPort > this.hi || p.length < 12 || p[0] >> 6 !== 2) return;
    const pt = p[1] & 0x7f;
    if (pt !== 0 && pt !== 8) return; // audio only: telephone-event has its own timing
    // A stream is a (source port, SSRC) pair: a port freed by one call may serve a later one.
    const ssrc = p.readUInt32BE(8);
    const key = d.srcPort * 2 ** 32 + ssrc;
    const seq = p.readUInt16BE(2);
    const ts = p.readUInt32BE(4);
    let s = this.streams.get(key);
    if (!s) {
      s = { index: this.states.length, count: 0, prevSeq: seq, prevTs: ts, prevExtSeq: seq, prevExtTs: ts, minSeq: seq, maxSeq: seq, bestOffset: Infinity, skipped: 0, seen: new Set() };
      this.streams.set(key, s);
      this.states.push(s);
    }
    // extend the 16-bit sequence number and the 32-bit timestamp: the nearest value to the previous one
    const eseq = s.count === 0 ? seq : s.prevExtSeq + (((seq - s.prevSeq + 32768) & 0xffff) - 32768);
    const ets = s.count === 0 ? ts : s.prevExtTs + ((ts - s.prevTs) | 0);
    if (s.seen.has(eseq)) {
      this.duplicates++;
      return;
    }
    s.seen.add(eseq);
    if (s.count > 0 && eseq === s.prevExtSeq + 1) {
      const frames = Math.round((ets - s.prevExtTs) / 160);
      if (frames > 1) s.skipped += frames - 1;
    }
    s.prevSeq = seq;
    s.prevTs = ts;
    s.prevExtSeq = eseq;
    s.prevExtTs = ets;
    s.count++;
    if (eseq < s.minSeq) s.minSeq = eseq;
    if (eseq > s.maxSeq) s.maxSeq = eseq;
    const offset = d.timeUs / 1000 - ets / 8;
    if (offset < s.bestOffset) s.bestOffset = offset;
    if (this.packets === this.offsets.length) this.grow();
    this.offsets[this.packets] = offset;
    this.owner[this.packets] = s.index;
    this.packets++;
  }

  private grow(): void {
    const o = new Float64Array(this.offsets.length * 2);
    o.set(this.offsets);
    this.offsets = o;
    const w = new Int32Array(this.owner.length * 2);
    w.set(this.owner);
    this.owner = w;
  }

  report(): RtpReport {
    const late = new Float64Array(this.packets);
    const slipped = new Uint8Array(this.states.length);
    for (let i = 0; i < this.packets; i++) {
      const s = this.states[this.owner[i]];
      const l = this.offsets[i] - s.bestOffset;
      late[i] = l;
      if (l >= SLIP_MS) slipped[this.owner[i]] = 1;
    }
    let lost = 0;
    let skipped = 0;
    let nSlipped = 0;
    this.states.forEach((s, i) => {
      lost += s.maxSeq - s.minSeq + 1 - s.seen.size;
      skipped += s.skipped;
      if (slipped[i] || s.skipped > 0) nSlipped++;
    });
    return { streams: this.states.length, packets: this.packets, lateMs: percentiles(late), slipped: nSlipped, skippedFrames: skipped, lost, duplicates: this.duplicates };
  }
}

export function analyzeRtp(dgrams: Iterable<Datagram>, lo: number, hi: number): RtpReport {
  const a = new RtpAnalyzer(lo, hi);
  for (const d of dgrams) a.add(d);
  return a.report();
}

/** INVITE -> first 200 OK for it, per Call-ID, from SIP packets to/from sipPort. */
export class InviteAnalyzer {
  private readonly invite = new Map<string, number>();
  private readonly ok = new Map<string, number>();
  constructor(private readonly sipPort: number) {}

  add(d: Datagram): void {
    if (d.srcPort !== this.sipPort && d.dstPort !== this.sipPort) return;
    const text = d.payload.toString("latin1");
    const isInvite = text.startsWith("INVITE ") && d.dstPort === this.sipPort;
    const is200 = text.startsWith("SIP/2.0 200") && /\r\nCSeq:\s*\d+\s+INVITE/i.test(text);
    if (!isInvite && !is200) return;
    const callId = /\r\n(?:Call-ID|i):\s*([^\r\n]+)/i.exec(text)?.[1];
    if (!callId) return;
    const t = d.timeUs / 1000;
    if (isInvite && !this.invite.has(callId)) this.invite.set(callId, t);
    else if (is200 && !this.ok.has(callId)) this.ok.set(callId, t);
  }

  report(): Percentiles & { calls: number; answered: number } {
    const rtt: number[] = [];
    for (const [id, t] of this.invite) {
      const a = this.ok.get(id);
      if (a !== undefined) rtt.push(a - t);
    }
    return { ...percentiles(rtt), calls: this.invite.size, answered: rtt.length };
  }
}

export function analyzeInviteTo200(dgrams: Iterable<Datagram>, sipPort: number): Percentiles & { calls: number; answered: number } {
  const a = new InviteAnalyzer(sipPort);
  for (const d of dgrams) a.add(d);
  return a.report();
}
