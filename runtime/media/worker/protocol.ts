// Messages between the main thread (engine.ts) and the media worker (media-worker.ts).
import type { LoadFailureKind } from "../transcode";
import type { G711Codec } from "../g711";
import type { RecordResult } from "../recorder";

export interface RemoteAddress {
  address: string;
  port: number;
}

/** Packet times a stream can run at (ms). */
export function ptimeProblem(ptime: number): string | undefined {
  return Number.isInteger(ptime) && ptime >= 10 && ptime <= 120 && ptime % 10 === 0 ? undefined : `ptime ${ptime} not supported`;
}

export interface CreateStreamArgs {
  /**
   * Streams with the same key are placed on the same media worker (e.g. the call's UUID for both
   * legs of a bridge, so RTP relayed between them stays on one thread). Without it, the least loaded.
   */
  affinity?: string;
  /** Inclusive port range to take an even port from; default the worker's share of the engine's. */
  localPortRange?: [number, number];
  /** Where to send; from the SDP. Symmetric RTP replaces it with the first real source seen. */
  remote?: RemoteAddress;
  codec: G711Codec;
  /** RTP payload type of the codec; default its static PT (0 or 8). */
  payloadType?: number;
  ptime?: number;
  /** Negotiated telephone-event payload type; undefined = RFC 4733 off. */
  dtmfPt?: number;
  /** No RTP from the caller for this long raises a mediaTimeout event; 0 = off. */
  mediaTimeoutMs?: number;
  /** Latch the sending address onto the first valid packet's source (default true). */
  symmetric?: boolean;
  /** After a stall, at most this many overdue packets are sent at once; the rest are skipped (default 10). */
  maxCatchUpFrames?: number;
  /** While recording, a gap this long without caller audio is filled with silence at the clock's pace (default 200). */
  recordGapFillMs?: number;
}

export interface UpdateStreamArgs {
  remote?: RemoteAddress;
  /** The codec the peer chose (late offer: known only from the answer in the ACK). */
  codec?: G711Codec;
  payloadType?: number;
  /** telephone-event payload type; null turns RFC 4733 off. */
  dtmfPt?: number | null;
  /** false while the caller holds us (sendonly/inactive): nothing is sent. */
  sending?: boolean;
  mediaTimeoutMs?: number;
}

export interface RecordArgs {
  path: string;
  maxLenSecs?: number;
  silenceThreshold?: number;
  silenceSecs?: number;
}

/** Input-callback file-handle commands on the current playback ("pause", "seek:+N"...). */
export type PlayControl =
  | { action: "pause" }
  | { action: "restart" }
  | { action: "seek"; ms: number; relative: boolean }
  | { action: "volume"; value: number; relative: boolean };

export type PlayEndReason = "eof" | "stopped" | "closed" | "notfound" | "error";

export interface PlayDone {
  reason: PlayEndReason;
  ms: number;
  samples: number;
  /** Why it failed (notfound/error), or parts of a file_string that were skipped. */
  detail?: string;
  /** For notfound/error: missing, unreadable, ffmpeg failed, or an invalid tone spec. */
  failure?: LoadFailureKind;
}

export type RecordDone = RecordResult & { path: string; detail?: string };

export interface StreamStats {
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Packets sent more than 5 ms after their deadline. */
  lateCount: number;
  maxLatenessMs: number;
  /** Approximate send lateness percentiles (0.1 ms resolution). */
  latenessP50Ms: number;
  latenessP99Ms: number;
  /** Frames dropped to resynchronise after a long stall. */
  skippedFrames: number;
  /** Missing sequence numbers in what we received. */
  lost: number;
  duplicatesOrReordered: number;
  invalidPackets: number;
  unknownPayloadTypes: number;
  dtmfReceived: number;
  /** Exceptions caught in the send/receive paths (should stay 0). */
  internalErrors: number;
  latchedRemote?: RemoteAddress;
}

export type EngineOp =
  /**
   * `ready`: the port of a socket this worker reported ready (ReadyPortsMessage) and the stream id
   * the engine gave it; the engine answered the caller already, so this must not be refused.
   * Without it the worker binds a new socket and picks the id (the slow path: one round trip).
   */
  | { op: "createStream"; args: CreateStreamArgs; ready?: { port: number; streamId: number } }
  | { op: "updateStream"; streamId: number; args: UpdateStreamArgs }
  | { op: "play"; streamId: number; spec: string; startSample?: number }
  | { op: "stopPlay"; streamId: number }
  | { op: "controlPlay"; streamId: number; control: PlayControl }
  | { op: "record"; streamId: number; args: RecordArgs }
  | { op: "stopRecord"; streamId: number; reason: "stopped" | "break" }
  | { op: "setInbandDtmf"; streamId: number; enabled: boolean }
  | { op: "sendDtmf"; streamId: number; digits: string; durationMs?: number }
  | { op: "stats"; streamId: number }
  | { op: "closeStream"; streamId: number }
  /** Relay what streamId receives out of stream `to` (same worker); null stops. */
  | { op: "relay"; streamId: number; to: number | null }
  | { op: "engineStats" };

/** A media thread: event-loop delay since the last query, live streams, its prompt cache. */
export interface WorkerStats {
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  streams: number;
  prompts?: { hits: number; loads: number; evictions: number; encodings: number; bytes: number; entries: number };
  /** The nice value the thread asked for and got, or why not (undefined: not asked). */
  priority?: { ok: true; nice: number } | { ok: false; reason: string };
}

/** All media threads: the worst delay, the stream total, and each worker's own numbers. */
export interface EngineStats {
  loopLagP99Ms: number;
  loopLagMaxMs: number;
  streams: number;
  workers: WorkerStats[];
}

export type EngineRequest = { type: "request"; requestId: number } & EngineOp;

export type EngineResponse = { type: "response"; requestId: number } & ({ ok: true; result: unknown } | { ok: false; error: string });

export type StreamEvent =
  | { kind: "dtmf"; digit: string; durationMs: number; durationSamples: number; source: "rfc4733" | "inband" }
  | { kind: "playDone"; playId: number; done: PlayDone }
  | { kind: "recordDone"; recordId: number; done: RecordDone }
  | { kind: "mediaTimeout"; silentMs: number }
  | { kind: "mediaResumed" }
  | { kind: "latched"; remote: RemoteAddress };

export type EngineEventMessage = { type: "event"; streamId: number; event: StreamEvent };

/**
 * Sockets a worker has bound ahead and holds for new streams: the engine hands their ports out at
 * once (a call's SDP answer does not wait for a round trip to a busy media thread).
 */
export interface ReadyPortsMessage {
  type: "readyPorts";
  ports: number[];
}

/** A worker asks the engine's spawn helper to run a program (ffmpeg): no fork on the media thread. */
export interface SpawnRequestMessage {
  type: "spawn";
  spawnId: number;
  cmd: string;
  args: string[];
  timeoutMs: number;
}

export interface SpawnDoneMessage {
  type: "spawnDone";
  spawnId: number;
  result: { code: number | null; signal: string | null; stderr: string };
}

export interface EngineWorkerData {
  entry?: string;
  cacheDir: string;
  localAddress: string;
  /** This worker's share of the engine's port range. */
  portRange: [number, number];
  /** This worker's index and the number of workers: stream ids are index + 1 + k * count, unique engine-wide. */
  workerIndex: number;
  workerCount: number;
  pacer: "timers" | "wheel";
  /** Nice value for the worker thread (Linux, per thread); undefined leaves it as it is. */
  nice?: number;
}
