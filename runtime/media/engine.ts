// Main-thread client of the media worker: a small typed facade over its message port.
// The RTP engine itself (sockets, pacing, DSP) runs in the worker, never on this thread.
import { Worker } from "node:worker_threads";
import type {
  CreateStreamArgs,
  EngineEventMessage,
  EngineOp,
  EngineStats,
  EngineResponse,
  EngineWorkerData,
  PlayControl,
  PlayDone,
  RecordArgs,
  RecordDone,
  RemoteAddress,
  StreamEvent,
  StreamStats,
  UpdateStreamArgs,
} from "./worker/protocol";

export type { CreateStreamArgs, EngineStats, PlayControl, PlayDone, RecordArgs, RecordDone, RemoteAddress, StreamStats, UpdateStreamArgs } from "./worker/protocol";

export interface MediaEngineOptions {
  /** Where transcoded prompts are cached. */
  cacheDir: string;
  /** Address RTP sockets bind to (and that SDP answers should announce, unless behind NAT). */
  localAddress?: string;
  /** Even ports are taken from this inclusive range. */
  portRange?: [number, number];
}

export interface DtmfEvent {
  digit: string;
  durationMs: number;
  durationSamples: number;
  source: "rfc4733" | "inband";
}

type Listener<T> = (payload: T) => void;

interface StreamEventMap {
  dtmf: DtmfEvent;
  mediaTimeout: { silentMs: number };
  mediaResumed: Record<string, never>;
  latched: RemoteAddress;
}

const DEFAULT_PORT_RANGE: [number, number] = [35000, 39999];

function workerLocation(): { url: URL; workerData: Partial<EngineWorkerData> } {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    return { url: new URL("./worker/bootstrap.mjs", here), workerData: { entry: new URL("./worker/media-worker.ts", here).href } };
  }
  return { url: new URL("./worker/media-worker.js", here), workerData: {} };
}

export class MediaEngine {
  private nextRequestId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly streams = new Map<number, MediaStreamHandle>();
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly localAddress: string,
  ) {
    worker.on("message", (m: EngineResponse | EngineEventMessage) => this.onMessage(m));
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => this.fail(new Error(`media worker exited (${code})`)));
  }

  static async start(options: MediaEngineOptions): Promise<MediaEngine> {
    const loc = workerLocation();
    const data: EngineWorkerData = {
      ...loc.workerData,
      cacheDir: options.cacheDir,
      localAddress: options.localAddress ?? "127.0.0.1",
      portRange: options.portRange ?? DEFAULT_PORT_RANGE,
    };
    const worker = new Worker(loc.url, { workerData: data });
    await new Promise<void>((resolve, reject) => {
      worker.once("online", () => resolve());
      worker.once("error", reject);
    });
    return new MediaEngine(worker, data.localAddress);
  }

  /** Binds an RTP socket for one call and starts its clock (silence is sent once the remote is known). */
  async createStream(args: CreateStreamArgs): Promise<MediaStreamHandle> {
    const r = (await this.request({ op: "createStream", args })) as { streamId: number; port: number; address: string };
    const s = new MediaStreamHandle(this, r.streamId, r.port, r.address);
    this.streams.set(r.streamId, s);
    return s;
  }

  /** Event-loop delay of the media thread since the last call, and its stream count. */
  async stats(): Promise<EngineStats> {
    return (await this.request({ op: "engineStats" })) as EngineStats;
  }

  /** @internal */
  request(op: EngineOp): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.worker.postMessage({ type: "request", requestId, ...op });
    });
  }

  /** @internal */
  forget(streamId: number): void {
    this.streams.delete(streamId);
  }

  async close(): Promise<void> {
    for (const s of [...this.streams.values()]) await s.close().catch(() => undefined);
    this.dead ??= new Error("media engine closed");
    await this.worker.terminate();
  }

  private onMessage(m: EngineResponse | EngineEventMessage): void {
    if (m.type === "response") {
      const p = this.pending.get(m.requestId);
      if (!p) return;
      this.pending.delete(m.requestId);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    } else if (m.type === "event") {
      this.streams.get(m.streamId)?.dispatch(m.event);
    }
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const s of this.streams.values()) s.abort(e);
  }
}

/** One call's media, as seen from the main thread. */
export class MediaStreamHandle {
  private readonly listeners = new Map<keyof StreamEventMap, Set<Listener<never>>>();
  private readonly playWaiters = new Map<number, (d: PlayDone) => void>();
  private readonly recordWaiters = new Map<number, (d: RecordDone) => void>();
  // Completion can overtake the start's response: keep it until someone waits.
  private readonly earlyPlayDone = new Map<number, PlayDone>();
  private readonly earlyRecordDone = new Map<number, RecordDone>();
  private aborted: Error | undefined;

  constructor(
    private readonly engine: MediaEngine,
    readonly id: number,
    readonly port: number,
    readonly address: string,
  ) {}

  on<K extends keyof StreamEventMap>(event: K, fn: Listener<StreamEventMap[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set!.delete(fn as Listener<never>);
  }

  /** Plays a source spec (file, silence_stream://, tone_stream://, file_string://); resolves when it ends. */
  async play(spec: string, options: { startSample?: number } = {}): Promise<PlayDone> {
    const { playId } = (await this.engine.request({ op: "play", streamId: this.id, spec, startSample: options.startSample })) as { playId: number };
    return this.waitFor(playId, this.playWaiters, this.earlyPlayDone, (e) => ({ reason: "closed", ms: 0, samples: 0, detail: e.message }));
  }

  async stopPlay(): Promise<void> {
    await this.engine.request({ op: "stopPlay", streamId: this.id });
  }

  /** pause (toggle), restart, seek, volume on the current playback (input-callback commands). */
  async controlPlay(control: PlayControl): Promise<void> {
    await this.engine.request({ op: "controlPlay", streamId: this.id, control });
  }

  /** Records what the caller sends; resolves with recordFile's outcome. */
  async record(args: RecordArgs): Promise<RecordDone> {
    const { recordId } = (await this.engine.request({ op: "record", streamId: this.id, args })) as { recordId: number };
    return this.waitFor(recordId, this.recordWaiters, this.earlyRecordDone, (e) => ({
      path: args.path, reason: "error", returnValue: 0, recordMs: 0, recordSamples: 0, recordSeconds: 0, silenceHitsExhausted: false, detail: e.message,
    }));
  }

  async stopRecord(reason: "stopped" | "break" = "stopped"): Promise<void> {
    await this.engine.request({ op: "stopRecord", streamId: this.id, reason });
  }

  async startInbandDtmf(): Promise<void> {
    await this.engine.request({ op: "setInbandDtmf", streamId: this.id, enabled: true });
  }

  async stopInbandDtmf(): Promise<void> {
    await this.engine.request({ op: "setInbandDtmf", streamId: this.id, enabled: false });
  }

  /** Sends digits as RFC 4733 events (needs a negotiated telephone-event payload type). */
  async sendDtmf(digits: string, durationMs?: number): Promise<void> {
    await this.engine.request({ op: "sendDtmf", streamId: this.id, digits, durationMs });
  }

  async update(args: UpdateStreamArgs): Promise<void> {
    await this.engine.request({ op: "updateStream", streamId: this.id, args });
  }

  async stats(): Promise<StreamStats> {
    return (await this.engine.request({ op: "stats", streamId: this.id })) as StreamStats;
  }

  /** Stops everything (playback ends "closed", recording "hangup"), frees the port; returns final stats. */
  async close(): Promise<StreamStats> {
    try {
      return (await this.engine.request({ op: "closeStream", streamId: this.id })) as StreamStats;
    } finally {
      // Every event of this stream came before the response; whoever still waits waited in vain.
      this.engine.forget(this.id);
      this.abort(new Error("stream closed"));
    }
  }

  /** @internal */
  dispatch(event: StreamEvent): void {
    switch (event.kind) {
      case "playDone":
        return this.settle(event.playId, event.done, this.playWaiters, this.earlyPlayDone);
      case "recordDone":
        return this.settle(event.recordId, event.done, this.recordWaiters, this.earlyRecordDone);
      case "dtmf":
        return this.fire("dtmf", { digit: event.digit, durationMs: event.durationMs, durationSamples: event.durationSamples, source: event.source });
      case "mediaTimeout":
        return this.fire("mediaTimeout", { silentMs: event.silentMs });
      case "mediaResumed":
        return this.fire("mediaResumed", {});
      case "latched":
        return this.fire("latched", event.remote);
    }
  }

  /** @internal */
  abort(e: Error): void {
    this.aborted = e;
    for (const w of this.playWaiters.values()) w({ reason: "closed", ms: 0, samples: 0, detail: e.message });
    this.playWaiters.clear();
    for (const [id, w] of this.recordWaiters) w({ path: "", reason: "error", returnValue: 0, recordMs: 0, recordSamples: 0, recordSeconds: 0, silenceHitsExhausted: false, detail: `${e.message} (record ${id})` });
    this.recordWaiters.clear();
  }

  private fire<K extends keyof StreamEventMap>(event: K, payload: StreamEventMap[K]): void {
    for (const fn of this.listeners.get(event) ?? []) (fn as Listener<StreamEventMap[K]>)(payload);
  }

  private waitFor<T>(id: number, waiters: Map<number, (d: T) => void>, early: Map<number, T>, onAbort: (e: Error) => T): Promise<T> {
    const done = early.get(id);
    if (done) {
      early.delete(id);
      return Promise.resolve(done);
    }
    if (this.aborted) return Promise.resolve(onAbort(this.aborted));
    return new Promise((resolve) => waiters.set(id, resolve));
  }

  private settle<T>(id: number, done: T, waiters: Map<number, (d: T) => void>, early: Map<number, T>): void {
    const w = waiters.get(id);
    if (w) {
      waiters.delete(id);
      w(done);
    } else early.set(id, done);
  }
}
