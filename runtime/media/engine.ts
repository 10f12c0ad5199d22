// Main-thread client of the media workers: a small typed facade over their message ports.
// The RTP engine itself (sockets, pacing, DSP) runs in the workers, never on this thread. Streams
// are sharded over the workers (StreamPlacement: least loaded, or with the stream that shares its
// affinity key); each stream's requests and events go to and from its own worker only.
import os from "node:os";
import { Worker } from "node:worker_threads";
import type { PacerKind } from "./pacer";
import { splitPortRange, StreamPlacement } from "./shards";
import { SpawnHelper } from "./spawn-helper";
import type {
  CreateStreamArgs,
  EngineEventMessage,
  EngineOp,
  EngineStats,
  EngineResponse,
  EngineWorkerData,
  PlayControl,
  SpawnDoneMessage,
  SpawnRequestMessage,
  PlayDone,
  ReadyPortsMessage,
  RecordArgs,
  RecordDone,
  RemoteAddress,
  StreamEvent,
  StreamStats,
  UpdateStreamArgs,
  WorkerStats,
} from "./worker/protocol";
import { ptimeProblem } from "./worker/protocol";

export type { CreateStreamArgs, EngineStats, PlayControl, PlayDone, RecordArgs, RecordDone, RemoteAddress, StreamStats, UpdateStreamArgs, WorkerStats } from "./worker/protocol";

export interface MediaEngineOptions {
  /** Where transcoded prompts are cached. */
  cacheDir: string;
  /** Address RTP sockets bind to (and that SDP answers should announce, unless behind NAT). */
  localAddress?: string;
  /** Even ports are taken from this inclusive range (split between the workers). */
  portRange?: [number, number];
  /**
   * Media worker threads; default IVR_MEDIA_WORKERS, else one per core (at most 4). Each takes a
   * share of the streams and of the port range.
   */
  workers?: number;
  /** How a worker wakes its streams (see pacer.ts); default IVR_MEDIA_PACER, else "wheel". */
  pacer?: PacerKind;
  /**
   * Nice value of the media threads (Linux; lower runs first, see thread-priority.ts). Default
   * IVR_MEDIA_NICE (a number, or "off"), else 10 below the process's own: ahead of the SIP/script
   * thread, SIPp and other work in the same session when the CPU is short. Without the privilege to
   * lower it, the threads keep the process's value (engine.stats() says why). null: unchanged.
   */
  nice?: number | null;
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
const MAX_DEFAULT_WORKERS = 4;

function workerLocation(): { url: URL; workerData: Partial<EngineWorkerData> } {
  const here = import.meta.url;
  if (here.endsWith(".ts")) {
    return { url: new URL("./worker/bootstrap.mjs", here), workerData: { entry: new URL("./worker/media-worker.ts", here).href } };
  }
  return { url: new URL("./worker/media-worker.js", here), workerData: {} };
}

/** The number of media workers when the caller does not say. */
export function defaultMediaWorkers(env: Record<string, string | undefined> = process.env, cores = os.availableParallelism()): number {
  const fromEnv = Number(env.IVR_MEDIA_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return Math.min(fromEnv, 64);
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, cores));
}

/** The media threads' nice value when the caller does not say (undefined: leave them as they are). */
export function defaultMediaNice(env: Record<string, string | undefined> = process.env, processNice = safeProcessNice()): number | undefined {
  const v = env.IVR_MEDIA_NICE?.trim();
  if (v === "off") return undefined;
  if (v !== undefined && v !== "") {
    const n = Number(v);
    if (Number.isInteger(n) && n >= -20 && n <= 19) return n;
  }
  return processNice === undefined ? undefined : Math.max(-20, processNice - 10);
}

function safeProcessNice(): number | undefined {
  try {
    return os.getPriority();
  } catch {
    return undefined;
  }
}

/** One media worker thread and its requests in flight. */
class WorkerChannel {
  private nextRequestId = 1;
  /** Ports of sockets the worker holds bound for new streams (ReadyPortsMessage). */
  readonly readyPorts: number[] = [];
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  dead: Error | undefined;

  constructor(
    readonly index: number,
    readonly worker: Worker,
    onEvent: (m: EngineEventMessage) => void,
    onDeath: (channel: WorkerChannel, e: Error) => void,
    spawner: SpawnHelper,
  ) {
    worker.on("message", (m: EngineResponse | EngineEventMessage | SpawnRequestMessage | ReadyPortsMessage) => {
      if (m.type === "readyPorts") {
        if (!this.dead) this.readyPorts.push(...m.ports);
      } else if (m.type === "spawn") {
        void spawner.run(m.cmd, m.args, m.timeoutMs).then((result) => {
          if (!this.dead) this.worker.postMessage({ type: "spawnDone", spawnId: m.spawnId, result } satisfies SpawnDoneMessage);
        });
      } else if (m.type === "response") {
        const p = this.pending.get(m.requestId);
        if (!p) return;
        this.pending.delete(m.requestId);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(m.error));
      } else if (m.type === "event") onEvent(m);
    });
    const die = (e: Error) => {
      if (this.dead) return;
      this.dead = e;
      this.readyPorts.length = 0;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      onDeath(this, e);
    };
    worker.on("error", die);
    worker.on("exit", (code) => die(new Error(`media worker ${index} exited (${code})`)));
  }

  request(op: EngineOp): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.worker.postMessage({ type: "request", requestId, ...op });
    });
  }
}

export class MediaEngine {
  private readonly streams = new Map<number, MediaStreamHandle>();
  /** Ids the engine gives streams opened on a ready socket: negative, apart from the workers' own. */
  private nextReadyStreamId = -1;
  private readonly placement: StreamPlacement;
  private dead: Error | undefined;

  private constructor(
    private readonly channels: WorkerChannel[],
    readonly localAddress: string,
    private readonly spawner: SpawnHelper,
  ) {
    this.placement = new StreamPlacement(channels.length);
  }

  static async start(options: MediaEngineOptions): Promise<MediaEngine> {
    const loc = workerLocation();
    const count = options.workers ?? defaultMediaWorkers();
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`workers must be a positive integer, got ${count}`);
    const envPacer = process.env.IVR_MEDIA_PACER;
    const pacer: PacerKind = options.pacer ?? (envPacer === "timers" || envPacer === "wheel" ? envPacer : "wheel");
    const nice = options.nice === undefined ? defaultMediaNice() : (options.nice ?? undefined);
    const localAddress = options.localAddress ?? "127.0.0.1";
    const ranges = splitPortRange(options.portRange ?? DEFAULT_PORT_RANGE, count);
    const workers = ranges.map((portRange, workerIndex) => {
      const data: EngineWorkerData = { ...loc.workerData, cacheDir: options.cacheDir, localAddress, portRange, workerIndex, workerCount: count, pacer, nice };
      return new Worker(loc.url, { workerData: data, name: `media-${workerIndex}` });
    });
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once("online", () => resolve());
              w.once("error", reject);
            }),
        ),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    // Started now, while this process is small: ffmpeg runs fork from it, not from a big runtime.
    const spawner = new SpawnHelper();
    let engine: MediaEngine | undefined;
    const channels = workers.map(
      (w, i) =>
        new WorkerChannel(
          i,
          w,
          (m) => engine?.streams.get(m.streamId)?.dispatch(m.event),
          (ch, e) => engine?.workerDied(ch, e),
          spawner,
        ),
    );
    engine = new MediaEngine(channels, localAddress, spawner);
    return engine;
  }

  get workerCount(): number {
    return this.channels.length;
  }

  /**
   * Binds an RTP socket for one call on one of the workers and starts its clock (silence is sent once
   * the remote is known). Streams given the same `affinity` share a worker.
   */
  async createStream(args: CreateStreamArgs): Promise<MediaStreamHandle> {
    if (this.dead) throw this.dead;
    const { affinity, ...workerArgs } = args;
    // Checked here as the worker would: a stream on a ready socket is answered before the worker sees it.
    const bad = ptimeProblem(workerArgs.ptime ?? 20);
    if (bad) throw new RangeError(bad);
    const refused = new Set<number>();
    let lastError: Error | undefined;
    for (;;) {
      const at = this.placement.place(affinity, refused);
      if (!at) throw lastError ?? new Error(this.placement.anyAlive ? "no media worker can take the stream" : "media workers are gone");
      const channel = this.channels[at.worker];
      const readyPort = workerArgs.localPortRange ? undefined : channel.readyPorts.shift();
      if (readyPort !== undefined) return this.openReady(at, readyPort, workerArgs);
      try {
        const r = (await this.channels[at.worker].request({ op: "createStream", args: workerArgs })) as { streamId: number; port: number; address: string };
        const s = new MediaStreamHandle(this, r.streamId, r.port, r.address, at.worker, at.slot);
        this.streams.set(r.streamId, s);
        return s;
      } catch (e) {
        this.placement.release(at.slot);
        lastError = e as Error;
        // A worker out of ports: another may have some (a stream pinned by affinity cannot move).
        if (!/no free RTP port/.test(lastError.message)) throw lastError;
        refused.add(at.worker);
      }
    }
  }

  /**
   * A stream on a socket its worker bound ahead: the handle (and the port for the SDP answer) at
   * once; the worker sets the stream up when it reads the request, before any later request of it.
   */
  private openReady(at: { slot: number; worker: number }, port: number, args: Omit<CreateStreamArgs, "affinity">): MediaStreamHandle {
    const id = this.nextReadyStreamId--;
    const s = new MediaStreamHandle(this, id, port, this.localAddress, at.worker, at.slot);
    this.streams.set(id, s);
    this.channels[at.worker].request({ op: "createStream", args, ready: { port, streamId: id } }).catch((e: Error) => {
      // Its later requests fail ("no stream"); whoever waits on it hears why.
      this.forget(s);
      s.abort(new Error(`media stream could not start: ${e.message}`));
    });
    return s;
  }

  /** Ready sockets each worker holds now (for tests and diagnostics). */
  readyPorts(): number[][] {
    return this.channels.map((c) => [...c.readyPorts]);
  }

  /** Event-loop delay of the media threads since the last call (the worst of them), and their streams. */
  async stats(): Promise<EngineStats> {
    const live = this.channels.filter((c) => !c.dead);
    if (!live.length) throw this.dead ?? new Error("media workers are gone");
    const workers = (await Promise.all(live.map((c) => c.request({ op: "engineStats" })))) as WorkerStats[];
    return {
      loopLagP99Ms: Math.max(...workers.map((w) => w.loopLagP99Ms)),
      loopLagMaxMs: Math.max(...workers.map((w) => w.loopLagMaxMs)),
      streams: workers.reduce((n, w) => n + w.streams, 0),
      workers,
    };
  }

  /** @internal */
  request(op: EngineOp, worker: number): Promise<unknown> {
    return this.channels[worker].request(op);
  }

  /** @internal */
  forget(stream: MediaStreamHandle): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    this.placement.release(stream.slot);
  }

  async close(): Promise<void> {
    for (const s of [...this.streams.values()]) await s.close().catch(() => undefined);
    this.dead ??= new Error("media engine closed");
    await Promise.all(this.channels.map((c) => c.worker.terminate()));
    this.spawner.close();
  }

  /** A worker died: its streams end (their waiters resolve "closed"), the others go on. */
  private workerDied(ch: WorkerChannel, e: Error): void {
    this.placement.markDead(ch.index);
    for (const s of [...this.streams.values()]) {
      if (s.worker !== ch.index) continue;
      this.forget(s);
      s.abort(e);
    }
    if (!this.placement.anyAlive) this.dead ??= e;
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
    /** The media worker this stream lives on. */
    readonly worker = 0,
    /** @internal its placement, released at close */
    readonly slot = 0,
  ) {}

  private request(op: EngineOp): Promise<unknown> {
    return this.engine.request(op, this.worker);
  }

  on<K extends keyof StreamEventMap>(event: K, fn: Listener<StreamEventMap[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set!.delete(fn as Listener<never>);
  }

  /** Plays a source spec (file, silence_stream://, tone_stream://, file_string://); resolves when it ends. */
  async play(spec: string, options: { startSample?: number } = {}): Promise<PlayDone> {
    const { playId } = (await this.request({ op: "play", streamId: this.id, spec, startSample: options.startSample })) as { playId: number };
    return this.waitFor(playId, this.playWaiters, this.earlyPlayDone, (e) => ({ reason: "closed", ms: 0, samples: 0, detail: e.message }));
  }

  async stopPlay(): Promise<void> {
    await this.request({ op: "stopPlay", streamId: this.id });
  }

  /**
   * Send what this stream receives (audio, transcoded if the codecs differ, and RFC 4733 digits)
   * out of `target`, until relayTo(null). Both streams must live on one worker: create them with
   * the same `affinity`. A bridge sets both directions.
   */
  async relayTo(target: MediaStreamHandle | null): Promise<void> {
    if (target && target.worker !== this.worker) throw new Error("the two streams are on different media workers (give them one affinity key)");
    await this.request({ op: "relay", streamId: this.id, to: target ? target.id : null });
  }

  /** pause (toggle), restart, seek, volume on the current playback (input-callback commands). */
  async controlPlay(control: PlayControl): Promise<void> {
    await this.request({ op: "controlPlay", streamId: this.id, control });
  }

  /** Records what the caller sends; resolves with recordFile's outcome. */
  async record(args: RecordArgs): Promise<RecordDone> {
    const { recordId } = (await this.request({ op: "record", streamId: this.id, args })) as { recordId: number };
    return this.waitFor(recordId, this.recordWaiters, this.earlyRecordDone, (e) => ({
      path: args.path, reason: "error", returnValue: 0, recordMs: 0, recordSamples: 0, recordSeconds: 0, silenceHitsExhausted: false, detail: e.message,
    }));
  }

  async stopRecord(reason: "stopped" | "break" = "stopped"): Promise<void> {
    await this.request({ op: "stopRecord", streamId: this.id, reason });
  }

  async startInbandDtmf(): Promise<void> {
    await this.request({ op: "setInbandDtmf", streamId: this.id, enabled: true });
  }

  async stopInbandDtmf(): Promise<void> {
    await this.request({ op: "setInbandDtmf", streamId: this.id, enabled: false });
  }

  /** Sends digits as RFC 4733 events (needs a negotiated telephone-event payload type). */
  async sendDtmf(digits: string, durationMs?: number): Promise<void> {
    await this.request({ op: "sendDtmf", streamId: this.id, digits, durationMs });
  }

  async update(args: UpdateStreamArgs): Promise<void> {
    await this.request({ op: "updateStream", streamId: this.id, args });
  }

  async stats(): Promise<StreamStats> {
    return (await this.request({ op: "stats", streamId: this.id })) as StreamStats;
  }

  /** Stops everything (playback ends "closed", recording "hangup"), frees the port; returns final stats. */
  async close(): Promise<StreamStats> {
    try {
      return (await this.request({ op: "closeStream", streamId: this.id })) as StreamStats;
    } finally {
      // Every event of this stream came before the response; whoever still waits waited in vain.
      this.engine.forget(this);
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
