// RFC 4733 telephone-events (DTMF over RTP): a pure receiver that turns event packets into one digit
// per key press, and a sender that builds the packet payloads for one digit.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     event     |E|R| volume    |          duration             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { uint32Diff, uint32Gt } from "./rtp";

export const TELEPHONE_EVENT_PAYLOAD_SIZE = 4;
const DIGITS = "0123456789*#ABCD";

export function eventCodeToDigit(code: number): string | undefined {
  return code >= 0 && code < DIGITS.length ? DIGITS[code] : undefined;
}

export function digitToEventCode(digit: string): number | undefined {
  const i = DIGITS.indexOf(digit.toUpperCase());
  return digit.length === 1 && i >= 0 ? i : undefined;
}

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < TELEPHONE_EVENT_PAYLOAD_SIZE) return undefined;
  return {
    event: payload[0],
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: (payload[2] << 8) | payload[3],
  };
}

export function writeTelephoneEvent(out: Uint8Array, e: TelephoneEvent): void {
  out[0] = e.event & 0xff;
  out[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  out[2] = (e.duration >> 8) & 0xff;
  out[3] = e.duration & 0xff;
}

/** The RTP fields the receiver needs (an RtpPacket fits). */
export interface TelephoneEventPacket {
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
}

export interface DtmfDigitEvent {
  digit: string;
  /** Duration in samples at the event clock rate, as FreeSWITCH hands it to input callbacks. */
  durationSamples: number;
  durationMs: number;
  volume: number;
  /** RTP timestamp of the event start (identifies the key press). */
  timestamp: number;
  /** How we learnt that the key was released. */
  endedBy: "end-packet" | "next-event" | "timeout";
}

export interface Rfc4733ReceiverStats {
  packets: number;
  digits: number;
  duplicates: number;
  stale: number;
  malformed: number;
  unknownEvents: number;
  endsMissed: number;
}

interface ActiveEvent {
  timestamp: number;
  event: number;
  volume: number;
  duration: number;
  lastPacketAtMs: number;
}

export interface Rfc4733ReceiverOptions {
  clockRate?: number;
  /** An event whose end packets were all lost is reported after this long without packets. */
  endTimeoutMs?: number;
}

const RECENT_ENDED = 8;
/** A start packet reusing an ended press's timestamp this long after its end is a new press. */
const REPRESS_GAP_MS = 100;
/** How far back (in timestamp units, 5 s at 8 kHz) an unmarked packet counts as a late straggler. */
const STRAGGLER_WINDOW = 40000;

export class Rfc4733Receiver {
  private readonly clockRate: number;
  private readonly endTimeoutMs: number;
  private active: ActiveEvent | undefined;
  /** Timestamps of events already reported: redundant end packets and late packets for them are dropped. */
  private readonly ended: { timestamp: number; atMs: number }[] = [];
  private newest: number | undefined;
  private readonly stats: Rfc4733ReceiverStats = { packets: 0, digits: 0, duplicates: 0, stale: 0, malformed: 0, unknownEvents: 0, endsMissed: 0 };

  constructor(options: Rfc4733ReceiverOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.endTimeoutMs = options.endTimeoutMs ?? 500;
  }

  /** Feeds one telephone-event RTP packet; `nowMs` is any monotonic clock (used for the end timeout). */
  processInput(packet: TelephoneEventPacket, nowMs = 0): DtmfDigitEvent[] {
    this.stats.packets++;
    const te = parseTelephoneEvent(packet.payload);
    if (!te) {
      this.stats.malformed++;
      return [];
    }
    const ts = packet.timestamp >>> 0;
    const endedIndex = this.ended.findIndex((e) => e.timestamp === ts);
    if (endedIndex >= 0) {
      // A fresh start packet well after that press ended is the same key again from a sender that
      // reuses timestamps (SIPp replaying one pcap twice); anything else is a redundant copy.
      const again = packet.marker && !te.end && nowMs - this.ended[endedIndex].atMs >= REPRESS_GAP_MS;
      if (!again) {
        this.stats.duplicates++;
        return [];
      }
      this.ended.splice(endedIndex, 1);
      const out: DtmfDigitEvent[] = this.active ? [this.finish("next-event", nowMs)] : [];
      this.newest = ts;
      this.active = { timestamp: ts, event: te.event, volume: te.volume, duration: te.duration, lastPacketAtMs: nowMs };
      return out;
    }
    const out: DtmfDigitEvent[] = [];
    if (this.active && this.active.timestamp === ts) {
      const a = this.active;
      a.duration = Math.max(a.duration, te.duration);
      a.lastPacketAtMs = nowMs;
      if (te.end) out.push(this.finish("end-packet", nowMs));
      return out;
    }
    // A packet for another key press, a little older than the newest we know: a straggler, drop it.
    // A marked packet or a big jump back is a new press from a sender whose timestamps jumped
    // (SIPp's pcaps carry unrelated timestamps).
    if (this.newest !== undefined && !packet.marker && !uint32Gt(ts, this.newest) && uint32Diff(this.newest, ts) < STRAGGLER_WINDOW) {
      this.stats.stale++;
      return [];
    }
    // A newer press while one is open: the open one's end packets were lost.
    if (this.active) out.push(this.finish("next-event", nowMs));
    this.newest = ts;
    if (eventCodeToDigit(te.event) === undefined) {
      this.stats.unknownEvents++;
      this.remember(ts, nowMs);
      return out;
    }
    this.active = { timestamp: ts, event: te.event, volume: te.volume, duration: te.duration, lastPacketAtMs: nowMs };
    if (te.end) out.push(this.finish("end-packet", nowMs));
    return out;
  }

  /** Reports an open event whose end packets never came; call it now and then (e.g. every 100 ms). */
  checkTimeout(nowMs: number): DtmfDigitEvent[] {
    if (this.active && nowMs - this.active.lastPacketAtMs >= this.endTimeoutMs) return [this.finish("timeout", nowMs)];
    return [];
  }

  /** True while a key is held (for muting audio / barge-in decisions). */
  get inProgress(): boolean {
    return this.active !== undefined;
  }

  toJSON(): Rfc4733ReceiverStats {
    return { ...this.stats };
  }

  private finish(endedBy: DtmfDigitEvent["endedBy"], nowMs: number): DtmfDigitEvent {
    const a = this.active!;
    this.active = undefined;
    this.remember(a.timestamp, nowMs);
    this.stats.digits++;
    if (endedBy !== "end-packet") this.stats.endsMissed++;
    return {
      digit: eventCodeToDigit(a.event)!,
      durationSamples: a.duration,
      durationMs: Math.round((a.duration * 1000) / this.clockRate),
      volume: a.volume,
      timestamp: a.timestamp,
      endedBy,
    };
  }

  private remember(timestamp: number, atMs: number): void {
    this.ended.push({ timestamp, atMs });
    if (this.ended.length > RECENT_ENDED) this.ended.shift();
  }
}

export interface DtmfSendOptions {
  durationMs?: number;
  ptimeMs?: number;
  /** Power level in -dBm0 (0..63); 10 is customary. */
  volume?: number;
  clockRate?: number;
  /** How many times the final (E=1) packet is sent; RFC 4733 recommends 3. */
  endRepeats?: number;
}

export interface DtmfSendPacket {
  marker: boolean;
  /** Whether this packet should be sent after the previous one's ptime (false for the repeated end packets). */
  advancesClock: boolean;
  end: boolean;
  payload: Uint8Array;
}

/**
 * Payloads for one digit. All share the RTP timestamp of the event start; the caller gives them
 * consecutive sequence numbers and sends one per ptime (end repeats back to back or per ptime).
 */
export function buildDtmfPackets(digit: string, options: DtmfSendOptions = {}): DtmfSendPacket[] {
  const code = digitToEventCode(digit);
  if (code === undefined) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  const clockRate = options.clockRate ?? 8000;
  const ptimeSamples = Math.round(((options.ptimeMs ?? 20) * clockRate) / 1000);
  const total = Math.min(0xffff, Math.max(ptimeSamples, Math.round(((options.durationMs ?? 100) * clockRate) / 1000)));
  const volume = options.volume ?? 10;
  const endRepeats = Math.max(1, options.endRepeats ?? 3);
  const out: DtmfSendPacket[] = [];
  const make = (duration: number, end: boolean, marker: boolean, advancesClock: boolean) => {
    const payload = new Uint8Array(TELEPHONE_EVENT_PAYLOAD_SIZE);
    writeTelephoneEvent(payload, { event: code, end, volume, duration });
    out.push({ marker, advancesClock, end, payload });
  };
  for (let d = ptimeSamples; d < total; d += ptimeSamples) make(d, false, out.length === 0, true);
  for (let i = 0; i < endRepeats; i++) make(total, true, out.length === 0, i === 0);
  return out;
}
