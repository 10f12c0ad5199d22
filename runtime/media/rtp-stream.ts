// One call's RTP: a UDP socket, paced sending (packet n at t0 + n * ptime on a monotonic clock; the
// worker's Pacer wakes it), receiving (RFC 4733 and optional in-band DTMF, recording), symmetric RTP
// latching, media timeout and statistics. Runs inside a media worker, never on the SIP/script thread.
// The per-packet paths allocate as little as they can: an inbound packet's header is read in place
// and its audio is decoded only when a recording or in-band DTMF detection needs it; an outbound
// prompt frame is copied from the prompt's cached G.711 encoding when it has one.
import dgram from "node:dgram";
import { randomInt } from "node:crypto";
import { performance } from "node:perf_hooks";
import { decodeG711, encodeG711, g711SilenceByte, G711_PAYLOAD_TYPE, type G711Codec } from "./g711";
import { buildDtmfPackets, Rfc4733Receiver } from "./dtmf-rfc4733";
import { GoertzelDtmfDetector } from "./dtmf-goertzel";
import { Recorder } from "./recorder";
import { RelayFifo } from "./relay";
import type { Pacer, Paced } from "./pacer";
import { RTP_HEADER_SIZE, RtpPacket, rtpPayloadEnd, rtpPayloadStart, uint16Diff, writeRtpHeader } from "./rtp";
import { FramePlayer, openSource, type PcmLoader } from "./sources";
import { WavWriter } from "./wav";
import type { CreateStreamArgs, PlayControl, PlayDone, RecordArgs, RemoteAddress, StreamEvent, StreamStats, UpdateStreamArgs } from "./worker/protocol";
import { ptimeProblem } from "./worker/protocol";

const SAMPLE_RATE = 8000;
/** After a stall, at most this many overdue packets go out at once; the rest are skipped. */
const DEFAULT_MAX_CATCH_UP = 10;
/** A timer may fire up to ~1 ms before the deadline (millisecond timer granularity). */
const EARLY_SLACK_MS = 1;
const LATE_THRESHOLD_MS = 5;
const HISTOGRAM_BUCKET_MS = 0.1;
const HISTOGRAM_BUCKETS = 1000;
/** When the caller sends nothing, the recorder is fed silence so that time and silence limits still work. */
const DEFAULT_RECORD_GAP_FILL_MS = 200;

/**
 * Packet n is due at t0 + n * ptime. At time `now`, with packets before `n` already sent: how many
 * to send now (at most maxCatchUp after a stall) and how many overdue ones to skip to resynchronise.
 */
export function duePackets(now: number, t0: number, n: number, ptime: number, maxCatchUp: number): { send: number; skip: number } {
  const overdue = Math.max(0, Math.floor((now + EARLY_SLACK_MS - t0) / ptime) - n + 1);
  const send = Math.min(overdue, maxCatchUp);
  return { send, skip: overdue - send };
}

// --- port allocation -------------------------------------------------------------------------------

/** Hands out even ports from a range, binding a UDP socket on each; skips ports taken by others. */
export class PortAllocator {
  private readonly inUse = new Set<number>();
  private cursor: number;

  constructor(
    private readonly address: string,
    private readonly range: [number, number],
  ) {
    const [lo, hi] = range;
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo > 0 && hi <= 65535 && lo <= hi)) throw new RangeError(`bad port range ${lo}-${hi}`);
    const evens = Math.floor((hi - this.firstEven()) / 2) + 1;
    this.cursor = this.firstEven() + 2 * randomInt(Math.max(1, evens));
  }

  private firstEven(range = this.range): number {
    return range[0] % 2 === 0 ? range[0] : range[0] + 1;
  }

  async bind(range: [number, number] = this.range): Promise<{ socket: dgram.Socket; port: number }> {
    const first = this.firstEven(range);
    const count = Math.floor((range[1] - first) / 2) + 1;
    if (count <= 0) throw new Error(`no even port in ${range[0]}-${range[1]}`);
    let candidate = this.cursor >= first && this.cursor <= range[1] ? this.cursor : first;
    for (let tries = 0; tries < count; tries++) {
      const port = candidate;
      candidate = candidate + 2 > range[1] ? first : candidate + 2;
      if (this.inUse.has(port)) continue;
      const socket = await tryBind(this.address, port);
      if (socket) {
        this.inUse.add(port);
        this.cursor = candidate;
        return { socket, port };
      }
    }
    throw new Error(`no free RTP port in ${range[0]}-${range[1]}`);
  }

  release(port: number): void {
    this.inUse.delete(port);
  }

  /** Even ports of the range not held by this allocator (others' sockets may hold some of them). */
  get unheld(): number {
    return Math.floor((this.range[1] - this.firstEven()) / 2) + 1 - this.inUse.size;
  }
}

/**
 * Remote addresses are IP literals (from SDP, or latched): resolve them synchronously instead of
 * through dns.lookup's deferred callback, which cost a nextTick and a closure per packet sent.
 */
function literalLookup(address: string, family: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, address.includes(":") ? 6 : 4);
}

function tryBind(address: string, port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: address.includes(":") ? "udp6" : "udp4", lookup: literalLookup as never });
    const onError = () => {
      socket.close();
      resolve(undefined);
    };
    socket.once("error", onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off("error", onError);
      resolve(socket);
    });
  });
}

// --- the stream ------------------------------------------------------------------------------------

interface ActivePlay {
  id: number;
  /** The source spec, reopened at an offset to seek or restart. */
  spec: string;
  player?: FramePlayer;
  /** Set until the source is open; a stop before that cancels it. */
  opening: boolean;
  skipped?: string;
}

interface ActiveRecord {
  id: number;
  path: string;
  recorder?: Recorder;
  writer?: WavWriter;
  lastFrameAt: number;
  pendingStop?: "stopped" | "break" | "hangup";
}

export interface RtpStreamDeps {
  loader: PcmLoader;
  emit: (event: StreamEvent) => void;
  /** Wakes the stream when its next packet is due (one per worker). */
  pacer: Pacer;
}

export class RtpStream implements Paced {
  wheelSlot?: number;
  /** Set at creation; a late-offer call changes them once the answer arrives (ACK). */
  codec: G711Codec;
  payloadType: number;
  readonly ptime: number;
  readonly frameSamples: number;
  private dtmfPt: number | undefined;
  private readonly symmetric: boolean;
  private remote: RemoteAddress | undefined;
  private latched = false;
  private sending = true;
  private mediaTimeoutMs: number;
  private readonly maxCatchUp: number;
  private readonly recordGapFillMs: number;

  // sending state
  private readonly ssrc = randomInt(0, 2 ** 32 - 1);
  private seq = randomInt(0, 65536);
  private timestamp = randomInt(0, 2 ** 32 - 1);
  private t0 = 0;
  private n = 0;
  private markNext = true;
  private readonly frame: Int16Array;
  private silencePayload: Uint8Array;
  private play: ActivePlay | undefined;
  private dtmfOut: { payload: Uint8Array; marker: boolean; advancesClock: boolean }[] = [];
  private dtmfOutTimestamp = 0;

  // receiving state
  private readonly rfc4733: Rfc4733Receiver;
  private inband: GoertzelDtmfDetector | undefined;
  // Loss/reorder per SSRC; the usual single sender stays in the two fields, others go to the map.
  private mainSsrc = -1;
  private mainSeq = 0;
  private readonly lastSeqBySsrc = new Map<number, number>();
  private lastMediaAt: number;
  private timedOut = false;
  private record: ActiveRecord | undefined;
  private decodeBuf = new Int16Array(160);

  private readonly stats: StreamStats = {
    packetsSent: 0, packetsReceived: 0, bytesSent: 0, bytesReceived: 0, lateCount: 0, maxLatenessMs: 0,
    latenessP50Ms: 0, latenessP99Ms: 0, skippedFrames: 0, lost: 0, duplicatesOrReordered: 0, invalidPackets: 0,
    unknownPayloadTypes: 0, dtmfReceived: 0, internalErrors: 0,
  };
  private readonly lateness = new Uint32Array(HISTOGRAM_BUCKETS + 1);
  /** Recordings whose file is still being closed; close() waits for them so their events go first. */
  private readonly finalizing = new Set<Promise<void>>();
  /** The bridged stream our received audio and digits go to (same worker), if any. */
  private relayTarget: RtpStream | undefined;
  /** Audio relayed to us by a bridged stream, already in our codec. */
  private readonly relayIn = new RelayFifo();
  private relaySkip = new Uint8Array(0);
  private nextPlayId = 1;
  private nextRecordId = 1;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: dgram.Socket,
    readonly port: number,
    args: CreateStreamArgs,
    private readonly deps: RtpStreamDeps,
  ) {
    this.codec = args.codec;
    this.payloadType = args.payloadType ?? G711_PAYLOAD_TYPE[args.codec];
    this.ptime = args.ptime ?? 20;
    const bad = ptimeProblem(this.ptime);
    if (bad) throw new RangeError(bad);
    this.frameSamples = (SAMPLE_RATE * this.ptime) / 1000;
    this.frame = new Int16Array(this.frameSamples);
    this.relaySkip = new Uint8Array(this.frameSamples);
    this.silencePayload = new Uint8Array(this.frameSamples).fill(g711SilenceByte(this.codec));
    this.dtmfPt = args.dtmfPt;
    this.symmetric = args.symmetric ?? true;
    this.remote = args.remote;
    this.mediaTimeoutMs = args.mediaTimeoutMs ?? 0;
    this.maxCatchUp = Math.max(1, Math.floor(args.maxCatchUpFrames ?? DEFAULT_MAX_CATCH_UP));
    this.recordGapFillMs = Math.max(this.ptime, args.recordGapFillMs ?? DEFAULT_RECORD_GAP_FILL_MS);
    this.rfc4733 = new Rfc4733Receiver({ clockRate: SAMPLE_RATE });
    this.lastMediaAt = performance.now();
    socket.on("message", (msg, rinfo) => this.onPacket(msg, rinfo));
    socket.on("error", () => {
      // ICMP port unreachable and the like: keep going, the peer may come back.
    });
    this.t0 = performance.now();
    deps.pacer.add(this, this.t0);
  }

  update(args: UpdateStreamArgs): void {
    if (args.remote) {
      this.remote = args.remote;
      this.latched = false; // a new SDP address: latch again on what actually arrives
    }
    if (args.sending !== undefined) this.sending = args.sending;
    if (args.codec) {
      this.codec = args.codec;
      this.payloadType = args.payloadType ?? G711_PAYLOAD_TYPE[args.codec];
      this.silencePayload = new Uint8Array(this.frameSamples).fill(g711SilenceByte(this.codec));
    }
    if (args.dtmfPt !== undefined) this.dtmfPt = args.dtmfPt ?? undefined;
    if (args.mediaTimeoutMs !== undefined) {
      // A timeout set now (an outbound leg once answered) counts from now, not from the stream's start.
      this.mediaTimeoutMs = args.mediaTimeoutMs;
      this.lastMediaAt = performance.now();
      this.timedOut = false;
    }
  }

  // --- relay between bridged legs -----------------------------------------------------------------

  /**
   * Send what this stream receives (audio, RFC 4733 digits) out of `target` from now on; undefined
   * stops. One direction: a bridge sets both.
   */
  setRelayTarget(target: RtpStream | undefined): void {
    this.relayTarget = target === this ? undefined : target;
  }

  dropRelayTarget(target: RtpStream): void {
    if (this.relayTarget === target) this.relayTarget = undefined;
  }

  /** Audio a bridged stream received, for our clock to send (transcoded to our codec). */
  acceptRelayed(codec: G711Codec, payload: Uint8Array): void {
    if (this.closed) return;
    this.relayIn.push(codec, payload, this.codec);
  }

  private relayDigit(digit: string, durationSamples: number): void {
    const t = this.relayTarget;
    if (t && !t.closed && t.dtmfPt !== undefined) t.sendDtmf(digit, Math.max(40, Math.round((durationSamples * 1000) / SAMPLE_RATE)));
  }

  // --- playback ------------------------------------------------------------------------------------

  /** Starts a playback (replacing any current one, which ends "stopped"); returns its id. */
  startPlay(spec: string, startSample = 0): number {
    this.finishPlay("stopped");
    const play: ActivePlay = { id: this.nextPlayId++, spec, opening: true };
    this.play = play;
    openSource(spec, this.deps.loader, { startSample }).then(
      (r) => {
        if (this.play !== play || this.closed) return; // stopped or replaced meanwhile
        play.opening = false;
        if (!r.ok) {
          this.play = undefined;
          this.emitPlayDone(play, r.code === "NOTFOUND" ? "notfound" : "error", r.reason, r.kind);
          return;
        }
        if (r.skipped.length) play.skipped = r.skipped.join("; ");
        play.player = new FramePlayer(r.source, startSample);
        this.markNext = true; // talkspurt start
      },
      (e: Error) => {
        if (this.play !== play) return;
        this.play = undefined;
        this.emitPlayDone(play, "error", e.message, "transcode");
      },
    );
    return play.id;
  }

  stopPlay(): void {
    this.finishPlay("stopped");
  }

  /** pause (toggle), restart, seek and volume on the current playback; speed is not supported. */
  controlPlay(control: PlayControl): void {
    const play = this.play;
    const player = play?.player;
    if (!play || !player) return;
    if (control.action === "pause") {
      player.paused = !player.paused;
      return;
    }
    if (control.action === "volume") {
      player.setVolume(control.relative ? player.volume + control.value : control.value);
      return;
    }
    const target =
      control.action === "restart"
        ? 0
        : Math.max(0, Math.round(control.relative ? player.samplesPlayed + (control.ms * SAMPLE_RATE) / 1000 : (control.ms * SAMPLE_RATE) / 1000));
    const { paused, volume } = player;
    // Reopen the same source at the new offset; the playback (and its id) goes on.
    openSource(play.spec, this.deps.loader, { startSample: target }).then((r) => {
      if (this.play !== play || this.closed || !r.ok) return;
      const next = new FramePlayer(r.source, target);
      next.paused = paused;
      next.setVolume(volume);
      play.player = next;
    }, () => undefined);
  }

  private finishPlay(reason: PlayDone["reason"]): void {
    const play = this.play;
    if (!play) return;
    this.play = undefined;
    this.emitPlayDone(play, reason, play.skipped);
  }

  private emitPlayDone(play: ActivePlay, reason: PlayDone["reason"], detail?: string, failure?: PlayDone["failure"]): void {
    const samples = play.player?.samplesPlayed ?? 0;
    const done: PlayDone = { reason, samples, ms: Math.round((samples * 1000) / SAMPLE_RATE), detail };
    if (failure) done.failure = failure;
    this.deps.emit({ kind: "playDone", playId: play.id, done });
  }

  // --- outbound DTMF (RFC 4733) --------------------------------------------------------------------

  sendDtmf(digits: string, durationMs = 100): void {
    if (this.dtmfPt === undefined) throw new Error("no telephone-event payload type negotiated");
    for (const d of digits) {
      const packets = buildDtmfPackets(d, { durationMs, ptimeMs: this.ptime });
      this.dtmfOut.push(...packets);
      // a pause of 3 frames between digits, sent as audio
      for (let i = 0; i < 3; i++) this.dtmfOut.push({ payload: new Uint8Array(0), marker: false, advancesClock: true });
    }
  }

  // --- recording -----------------------------------------------------------------------------------

  startRecord(args: RecordArgs): number {
    if (this.record) this.stopRecord("stopped");
    const rec: ActiveRecord = { id: this.nextRecordId++, path: args.path, lastFrameAt: performance.now() };
    this.record = rec;
    WavWriter.open(args.path, { sampleRate: SAMPLE_RATE }).then(
      (writer) => {
        rec.writer = writer;
        rec.recorder = new Recorder(writer, {
          maxLenSecs: args.maxLenSecs,
          silenceThreshold: args.silenceThreshold,
          silenceSecs: args.silenceSecs,
          frameSamples: this.frameSamples,
        });
        rec.lastFrameAt = performance.now();
        if (rec.pendingStop) this.stopRecord(rec.pendingStop);
      },
      (e: Error) => {
        if (this.record === rec) this.record = undefined;
        this.deps.emit({
          kind: "recordDone",
          recordId: rec.id,
          done: { path: rec.path, reason: "error", returnValue: 0, recordMs: 0, recordSamples: 0, recordSeconds: 0, silenceHitsExhausted: false, detail: e.message },
        });
      },
    );
    return rec.id;
  }

  stopRecord(reason: "stopped" | "break" | "hangup"): void {
    const rec = this.record;
    if (!rec) return;
    if (!rec.recorder) {
      rec.pendingStop = reason; // still opening the file
      return;
    }
    this.endRecord(rec, rec.recorder.stop(reason));
  }

  private feedRecorder(pcm: Int16Array, now: number): void {
    const rec = this.record;
    if (!rec?.recorder) return;
    rec.lastFrameAt = now;
    const ended = rec.recorder.processInput(pcm);
    if (ended) this.endRecord(rec, ended);
  }

  private endRecord(rec: ActiveRecord, result: NonNullable<Recorder["result"]>): void {
    if (this.record === rec) this.record = undefined;
    const writer = rec.writer;
    const emit = (detail?: string) => this.deps.emit({ kind: "recordDone", recordId: rec.id, done: { ...result, path: rec.path, detail } });
    if (!writer) return emit();
    const closing = writer.close().then(
      () => emit(),
      (e: Error) => emit(e.message),
    );
    this.finalizing.add(closing);
    void closing.finally(() => this.finalizing.delete(closing));
  }

  // --- in-band DTMF --------------------------------------------------------------------------------

  setInbandDtmf(enabled: boolean): void {
    if (enabled && !this.inband) this.inband = new GoertzelDtmfDetector();
    if (!enabled && this.inband) {
      for (const ev of this.inband.flush()) this.emitDtmf(ev.digit, ev.durationSamples, "inband");
      this.inband = undefined;
    }
  }

  private emitDtmf(digit: string, durationSamples: number, source: "rfc4733" | "inband"): void {
    this.stats.dtmfReceived++;
    this.deps.emit({ kind: "dtmf", digit, durationSamples, durationMs: Math.round((durationSamples * 1000) / SAMPLE_RATE), source });
  }

  // --- sending -------------------------------------------------------------------------------------

  /** The pacer's call: send what is due, say when the next packet is. */
  onDue(now: number): number | undefined {
    if (this.closed) return undefined;
    try {
      this.sendDue(now);
    } catch {
      // A bug must not stop this call's clock, nor take the worker (and every other call) down.
      this.stats.internalErrors++;
    }
    return this.t0 + this.n * this.ptime;
  }

  private sendDue(now: number): void {
    const { send, skip } = duePackets(now, this.t0, this.n, this.ptime, this.maxCatchUp);
    for (let i = 0; i < send; i++) {
      this.noteLateness(Math.max(0, now - (this.t0 + this.n * this.ptime)));
      this.produceFrame(true);
      this.n++;
    }
    if (skip > 0) {
      // A long stall: what is still overdue is skipped (the audio is consumed, the timestamp advances).
      for (let i = 0; i < skip; i++) this.produceFrame(false);
      this.stats.skippedFrames += skip;
      this.n += skip;
    }
    this.housekeeping(now);
  }

  private noteLateness(ms: number): void {
    if (ms > LATE_THRESHOLD_MS) this.stats.lateCount++;
    if (ms > this.stats.maxLatenessMs) this.stats.maxLatenessMs = ms;
    this.lateness[Math.min(HISTOGRAM_BUCKETS, Math.floor(ms / HISTOGRAM_BUCKET_MS))]++;
  }

  /** One ptime of outgoing media: a DTMF event packet, a playback frame or silence. */
  private produceFrame(send: boolean): void {
    const ts = this.timestamp;
    this.timestamp = (this.timestamp + this.frameSamples) >>> 0;
    const dtmfReplacesAudio = this.dtmfOut.length > 0 && this.dtmfOut[0].payload.length > 0;

    // Playback advances with the clock even while DTMF replaces the audio.
    let havePlayback = false;
    let encoded: Buffer | undefined;
    const play = this.play;
    if (play?.player) {
      if (send && !dtmfReplacesAudio && play.player.canEncode()) {
        // the prompt's cached encoding, copied straight into the packet
        encoded = this.allocPacket();
        havePlayback = play.player.nextFrameEncoded(this.codec, encoded.subarray(RTP_HEADER_SIZE));
      } else havePlayback = play.player.nextFrame(this.frame);
      if (!havePlayback) this.finishPlay("eof");
    }

    if (this.dtmfOut.length > 0) {
      const first = this.dtmfOut[0];
      if (first.payload.length === 0) {
        this.dtmfOut.shift(); // the pause after a digit: plain audio
      } else {
        if (first.marker) this.dtmfOutTimestamp = ts;
        // this packet, plus the repeated end packets that go out with it
        do {
          const p = this.dtmfOut.shift()!;
          if (send) this.sendPacket(this.dtmfPt!, p.marker, this.dtmfOutTimestamp, p.payload);
        } while (this.dtmfOut.length > 0 && !this.dtmfOut[0].advancesClock);
        this.markNext = true;
        return;
      }
    }
    if (!send) {
      if (!havePlayback) this.relayIn.take(this.frameSamples, this.relaySkip);
      return;
    }
    if (havePlayback && encoded) {
      this.sendRaw(encoded, this.payloadType, this.takeMarker(), ts);
    } else if (havePlayback) {
      const buf = this.allocPacket();
      encodeG711(this.codec, this.frame, buf.subarray(RTP_HEADER_SIZE));
      this.sendRaw(buf, this.payloadType, this.takeMarker(), ts);
    } else if (this.relayIn.available >= this.frameSamples) {
      // A bridged leg's audio, at our pace and with our sequence numbers and timestamps.
      const buf = this.allocPacket();
      this.relayIn.take(this.frameSamples, buf.subarray(RTP_HEADER_SIZE));
      this.sendRaw(buf, this.payloadType, this.takeMarker(), ts);
    } else {
      this.sendPacket(this.payloadType, this.takeMarker(), ts, this.silencePayload);
    }
  }

  private takeMarker(): boolean {
    const m = this.markNext;
    this.markNext = false;
    return m;
  }

  private allocPacket(): Buffer {
    return Buffer.allocUnsafe(RTP_HEADER_SIZE + this.frameSamples);
  }

  private sendPacket(pt: number, marker: boolean, ts: number, payload: Uint8Array): void {
    const buf = Buffer.allocUnsafe(RTP_HEADER_SIZE + payload.length);
    buf.set(payload, RTP_HEADER_SIZE);
    this.sendRaw(buf, pt, marker, ts);
  }

  /** Writes the header into buf[0..12) and sends; one Buffer per packet, never reused before send completes. */
  private sendRaw(buf: Buffer, pt: number, marker: boolean, ts: number): void {
    const remote = this.remote;
    if (!remote || !this.sending || remote.port === 0 || remote.address === "0.0.0.0") return;
    writeRtpHeader(buf, pt, marker, this.seq, ts, this.ssrc);
    this.seq = (this.seq + 1) & 0xffff;
    this.stats.packetsSent++;
    this.stats.bytesSent += buf.length;
    this.socket.send(buf, remote.port, remote.address);
  }

  private housekeeping(now: number): void {
    // (only while a key is held: no array per packet otherwise)
    if (this.rfc4733.inProgress) for (const ev of this.rfc4733.checkTimeout(now)) {
      this.emitDtmf(ev.digit, ev.durationSamples, "rfc4733");
      this.relayDigit(ev.digit, ev.durationSamples);
    }
    const silentMs = now - this.lastMediaAt;
    if (this.mediaTimeoutMs > 0 && !this.timedOut && silentMs >= this.mediaTimeoutMs) {
      this.timedOut = true;
      this.deps.emit({ kind: "mediaTimeout", silentMs: Math.round(silentMs) });
    }
    const rec = this.record;
    if (rec?.recorder && now - rec.lastFrameAt >= this.recordGapFillMs) {
      // Nothing arrives: record silence at the clock's pace so the limits still end the recording.
      // (one frame per tick from then on: lastFrameAt lags by exactly the starvation window)
      this.feedRecorder(new Int16Array(this.frameSamples), now - this.recordGapFillMs + this.ptime);
    }
  }

  // --- receiving -----------------------------------------------------------------------------------

  private onPacket(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closed) return;
    try {
      this.receive(msg, rinfo);
    } catch {
      this.stats.internalErrors++;
    }
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // Only the header is read here; the payload is touched below only when something needs it.
    const start = rtpPayloadStart(msg);
    if (start < 0) {
      this.stats.invalidPackets++;
      return;
    }
    const now = performance.now();
    this.stats.packetsReceived++;
    this.stats.bytesReceived += msg.length;
    // Symmetric RTP: send where the caller really sends from. Port 0 (SIPp's DTMF) is not an address.
    if (!this.latched && this.symmetric && rinfo.port !== 0) {
      this.latched = true;
      if (!this.remote || this.remote.address !== rinfo.address || this.remote.port !== rinfo.port) {
        this.remote = { address: rinfo.address, port: rinfo.port };
        this.stats.latchedRemote = this.remote;
        this.deps.emit({ kind: "latched", remote: this.remote });
      }
    }
    this.trackSequence(((msg[8] << 24) | (msg[9] << 16) | (msg[10] << 8) | msg[11]) >>> 0, (msg[2] << 8) | msg[3]);
    this.lastMediaAt = now;
    if (this.timedOut) {
      this.timedOut = false;
      this.deps.emit({ kind: "mediaResumed" });
    }
    const pt = msg[1] & 0x7f;
    if (pt === this.dtmfPt) {
      const parsed = RtpPacket.parse(msg); // rare: telephone-events get the full parse
      if (parsed.ok) {
        for (const ev of this.rfc4733.processInput(parsed.packet, now)) {
          this.emitDtmf(ev.digit, ev.durationSamples, "rfc4733");
          // RFC 4733 to the bridged leg: the digit again, on its own telephone-event payload type.
          this.relayDigit(ev.digit, ev.durationSamples);
        }
      }
      return;
    }
    if (pt !== this.payloadType) {
      this.stats.unknownPayloadTypes++;
      return;
    }
    if (this.relayTarget && !this.relayTarget.closed) this.relayTarget.acceptRelayed(this.codec, msg.subarray(start, rtpPayloadEnd(msg)));
    if (!this.inband && !this.record?.recorder) return; // nobody listens to the audio: leave it alone
    const payload = msg.subarray(start, rtpPayloadEnd(msg));
    if (this.decodeBuf.length < payload.length) this.decodeBuf = new Int16Array(payload.length);
    const pcm = decodeG711(this.codec, payload, this.decodeBuf.subarray(0, payload.length));
    if (this.inband) for (const ev of this.inband.processInput(pcm)) this.emitDtmf(ev.digit, ev.durationSamples, "inband");
    this.feedRecorder(pcm, now);
  }

  /** Loss and reordering per SSRC (a caller may send audio and DTMF under different SSRCs, as SIPp does). */
  private trackSequence(ssrc: number, seq: number): void {
    let last: number | undefined;
    if (ssrc === this.mainSsrc) last = this.mainSeq;
    else if (this.mainSsrc < 0) {
      this.mainSsrc = ssrc;
      this.mainSeq = seq;
      return;
    } else {
      last = this.lastSeqBySsrc.get(ssrc);
      if (last === undefined) {
        if (this.lastSeqBySsrc.size >= 8) this.lastSeqBySsrc.clear();
        this.lastSeqBySsrc.set(ssrc, seq);
        return;
      }
    }
    const d = uint16Diff(seq, last);
    if (d > 0) {
      // a jump of thousands is a sender restart, not loss
      if (d > 1 && d < 3000) this.stats.lost += d - 1;
      if (ssrc === this.mainSsrc) this.mainSeq = seq;
      else this.lastSeqBySsrc.set(ssrc, seq);
    } else {
      this.stats.duplicatesOrReordered++;
    }
  }

  // --- stats and close -----------------------------------------------------------------------------

  toJSON(): StreamStats {
    return { ...this.stats, latenessP50Ms: this.percentile(0.5), latenessP99Ms: this.percentile(0.99) };
  }

  private percentile(q: number): number {
    let total = 0;
    for (const c of this.lateness) total += c;
    if (total === 0) return 0;
    const target = Math.ceil(total * q);
    let acc = 0;
    for (let i = 0; i < this.lateness.length; i++) {
      acc += this.lateness[i];
      if (acc >= target) return Math.round((i + 1) * HISTOGRAM_BUCKET_MS * 10) / 10;
    }
    return HISTOGRAM_BUCKETS * HISTOGRAM_BUCKET_MS;
  }

  /**
   * Ends everything: playback "closed", recording "hangup" (its file closed first), the socket closed.
   * Resolves once every resulting event has been emitted.
   */
  async close(): Promise<StreamStats> {
    if (!this.closed) {
      if (this.play) this.finishPlay("closed");
      const rec = this.record;
      if (rec && !rec.recorder) {
        // the file is still opening: it ends as soon as it is open
        rec.pendingStop = "hangup";
      } else this.stopRecord("hangup");
      this.setInbandDtmf(false);
      this.closed = true;
      this.deps.pacer.remove(this);
      this.socket.removeAllListeners("message");
      this.socket.close();
    }
    while (this.finalizing.size > 0 || this.record) {
      if (this.finalizing.size > 0) await Promise.all([...this.finalizing]);
      else await new Promise((r) => setTimeout(r, 5));
    }
    return this.toJSON();
  }
}
