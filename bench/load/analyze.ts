// Turns a loopback capture into the numbers the load bench reports: per-packet RTP lateness
// against each stream's own clock (RTP timestamp / 8 kHz, anchored at its earliest packet),
// inter-arrival deviation from the packet time, loss from sequence gaps, and INVITE -> 200 OK.
import type { Datagram } from "./pcap";

export interface Percentiles {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  if (!values.length) return { n: 0, p50: NaN, p99: NaN, max: NaN };
  const s = Float64Array.from(values).sort();
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] };
}

export interface RtpReport {
  streams: number;
  packets: number;
  lateMs: Percentiles;
  jitterMs: Percentiles;
  lost: number;
  duplicates: number;
}

/** RTP sent by the server (source port in [lo, hi]). */
export function analyzeRtp(dgrams: Datagram[], lo: number, hi: number): RtpReport {
  // A stream is a (source port, SSRC) pair: a port freed by one call may serve a later one.
  const streams = new Map<string, { t: number; ts: number; seq: number }[]>();
  for (const d of dgrams) {
    if (d.srcPort < lo || d.srcPort > hi || d.payload.length < 12 || d.payload[0] >> 6 !== 2) continue;
    const pt = d.payload[1] & 0x7f;
    if (pt !== 0 && pt !== 8) continue; // audio only (telephone-event has its own timing)
    const key = `${d.srcPort}/${d.payload.readUInt32BE(8)}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = []));
    s.push({ t: d.timeUs / 1000, seq: d.payload.readUInt16BE(2), ts: d.payload.readUInt32BE(4) });
  }
  const late: number[] = [];
  const jitter: number[] = [];
  let lost = 0;
  let duplicates = 0;
  let packets = 0;
  for (const pkts of streams.values()) {
    packets += pkts.length;
    // extend the 16-bit sequence and 32-bit timestamp across wraps
    let seqBase = 0;
    let tsBase = 0;
    let prevSeq = pkts[0].seq;
    let prevTs = pkts[0].ts;
    const ext = pkts.map((p) => {
      if (p.seq < prevSeq && prevSeq - p.seq > 32768) seqBase += 65536;
      if (p.ts < prevTs && prevTs - p.ts > 2 ** 31) tsBase += 2 ** 32;
      prevSeq = p.seq;
      prevTs = p.ts;
      return { t: p.t, seq: seqBase + p.seq, ts: tsBase + p.ts };
    });
    const t0 = ext[0].t;
    const ts0 = ext[0].ts;
    const offsets = ext.map((p) => p.t - t0 - (p.ts - ts0) / 8);
    const best = Math.min(...offsets);
    for (const o of offsets) late.push(o - best);
    for (let i = 1; i < ext.length; i++) {
      const dts = (ext[i].ts - ext[i - 1].ts) / 8;
      if (dts > 0) jitter.push(Math.abs(ext[i].t - ext[i - 1].t - dts));
    }
    const seqs = new Set(ext.map((p) => p.seq));
    duplicates += ext.length - seqs.size;
    const first = Math.min(...seqs);
    const last = Math.max(...seqs);
    lost += last - first + 1 - seqs.size;
  }
  return { streams: streams.size, packets, lateMs: percentiles(late), jitterMs: percentiles(jitter), lost, duplicates };
}

/** INVITE -> first 200 OK for it, per Call-ID, from SIP packets to/from sipPort. */
export function analyzeInviteTo200(dgrams: Datagram[], sipPort: number): Percentiles & { calls: number; answered: number } {
  const invite = new Map<string, number>();
  const ok = new Map<string, number>();
  for (const d of dgrams) {
    if (d.srcPort !== sipPort && d.dstPort !== sipPort) continue;
    const text = d.payload.toString("latin1");
    const callId = /\r\n(?:Call-ID|i):\s*([^\r\n]+)/i.exec(text)?.[1];
    if (!callId) continue;
    if (text.startsWith("INVITE ") && d.dstPort === sipPort && !invite.has(callId)) invite.set(callId, d.timeUs / 1000);
    else if (text.startsWith("SIP/2.0 200") && /\r\nCSeq:\s*\d+\s+INVITE/i.test(text) && !ok.has(callId)) ok.set(callId, d.timeUs / 1000);
  }
  const rtt: number[] = [];
  for (const [id, t] of invite) {
    const a = ok.get(id);
    if (a !== undefined) rtt.push(a - t);
  }
  return { ...percentiles(rtt), calls: invite.size, answered: rtt.length };
}
