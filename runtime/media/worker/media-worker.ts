// A media worker: owns its share of the calls' RTP streams, away from the SIP/script event loop.
// Nothing else runs on this thread: sockets, the pacer, prompt playback, DTMF, recording.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { createPacer } from "../pacer";
import { PromptCache } from "../prompt-cache";
import { PortAllocator, RtpStream } from "../rtp-stream";
import { loaderCandidates, transcodingLoader } from "../sources";
import { setThreadNice, type NiceResult } from "../thread-priority";
import { Transcoder } from "../transcode";
import type { SpawnFn, SpawnResult } from "../spawn-helper";
import type { Socket } from "node:dgram";
import type { EngineEventMessage, EngineRequest, EngineResponse, EngineWorkerData, ReadyPortsMessage, SpawnDoneMessage, SpawnRequestMessage, WorkerStats } from "./protocol";

const port = parentPort;
if (!port) throw new Error("media-worker must run in a worker thread");
const config = workerData as EngineWorkerData;

// Asked for before the first packet: ahead of the SIP/script thread when the machine is busy.
const priority: NiceResult | undefined = config.nice === undefined ? undefined : setThreadNice(config.nice);

// ffmpeg runs are started by the engine's spawn helper, never forked from this thread.
const spawns = new Map<number, (r: SpawnResult) => void>();
let nextSpawnId = 1;
const spawnViaEngine: SpawnFn = (cmd, args, timeoutMs) =>
  new Promise((resolve) => {
    const spawnId = nextSpawnId++;
    spawns.set(spawnId, resolve);
    port!.postMessage({ type: "spawn", spawnId, cmd, args, timeoutMs } satisfies SpawnRequestMessage);
  });
const transcoder = new Transcoder({ cacheDir: config.cacheDir, spawn: spawnViaEngine });
const prompts = new PromptCache({ load: transcodingLoader((p) => transcoder.transcode(p)), candidates: loaderCandidates });
const loader = prompts.loader;
const pacer = createPacer(config.pacer);
const allocator = new PortAllocator(config.localAddress, config.portRange);
const streams = new Map<number, RtpStream>();
const idStride = Math.max(1, config.workerCount ?? 1);
let nextStreamId = (config.workerIndex ?? 0) + 1;
// This thread's own event-loop delay: what late RTP packets would come from.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

// Sockets bound ahead for new streams, by port (the engine hands their ports out without asking).
const READY_SOCKETS = readySockets(process.env.IVR_MEDIA_READY_SOCKETS);

/** IVR_MEDIA_READY_SOCKETS: sockets held per worker (default 8; 0 binds every stream on demand). */
function readySockets(v: string | undefined): number {
  const n = Number(v);
  return v !== undefined && v.trim() !== "" && Number.isInteger(n) && n >= 0 && n <= 256 ? n : 8;
}
const ready = new Map<number, Socket>();
const ignoreIdleError = () => undefined;
let toppingUp = false;

/** Bind sockets until READY_SOCKETS are held, telling the engine each port as it is bound. */
async function topUpReady(): Promise<void> {
  if (toppingUp) return;
  toppingUp = true;
  try {
    // Never the last few ports of the share: streams that bind on demand must still find one.
    while (ready.size < READY_SOCKETS && allocator.unheld > READY_SOCKETS) {
      const { socket, port: readyPort } = await allocator.bind();
      // Until a stream takes it: a stray packet is dropped, an error must not kill the thread.
      socket.on("error", ignoreIdleError);
      ready.set(readyPort, socket);
      port!.postMessage({ type: "readyPorts", ports: [readyPort] } satisfies ReadyPortsMessage);
    }
  } catch {
    // Out of ports: streams fall back to binding on demand (which reports the same error).
  } finally {
    toppingUp = false;
  }
}

function stream(id: number): RtpStream {
  const s = streams.get(id);
  if (!s) throw new Error(`no stream ${id}`);
  return s;
}

async function handle(req: EngineRequest): Promise<unknown> {
  switch (req.op) {
    case "engineStats": {
      const stats: WorkerStats = { loopLagP99Ms: loopDelay.percentile(99) / 1e6, loopLagMaxMs: loopDelay.max / 1e6, streams: streams.size, prompts: prompts.toJSON(), priority };
      loopDelay.reset();
      return stats;
    }
    case "createStream": {
      let socket: Socket;
      let localPort: number;
      let id: number;
      if (req.ready) {
        const held = ready.get(req.ready.port);
        if (!held) throw new Error(`no ready socket on port ${req.ready.port}`);
        ready.delete(req.ready.port);
        held.off("error", ignoreIdleError);
        [socket, localPort, id] = [held, req.ready.port, req.ready.streamId];
        void topUpReady();
      } else {
        ({ socket, port: localPort } = await allocator.bind(req.args.localPortRange ?? config.portRange));
        id = nextStreamId;
        nextStreamId += idStride;
      }
      try {
        const s = new RtpStream(id, socket, localPort, req.args, {
          loader,
          pacer,
          emit: (event) => port!.postMessage({ type: "event", streamId: id, event } satisfies EngineEventMessage),
        });
        streams.set(id, s);
      } catch (e) {
        socket.close();
        allocator.release(localPort);
        throw e;
      }
      return { streamId: id, port: localPort, address: config.localAddress };
    }
    case "updateStream":
      stream(req.streamId).update(req.args);
      return null;
    case "play":
      return { playId: stream(req.streamId).startPlay(req.spec, req.startSample) };
    case "stopPlay":
      stream(req.streamId).stopPlay();
      return null;
    case "controlPlay":
      stream(req.streamId).controlPlay(req.control);
      return null;
    case "record":
      return { recordId: stream(req.streamId).startRecord(req.args) };
    case "stopRecord":
      stream(req.streamId).stopRecord(req.reason);
      return null;
    case "setInbandDtmf":
      stream(req.streamId).setInbandDtmf(req.enabled);
      return null;
    case "sendDtmf":
      stream(req.streamId).sendDtmf(req.digits, req.durationMs);
      return null;
    case "stats":
      return stream(req.streamId).toJSON();
    case "relay": {
      const target = req.to === null ? undefined : streams.get(req.to);
      if (req.to !== null && !target) throw new Error(`stream ${req.to} is not on this media worker (bridged legs need one affinity key)`);
      stream(req.streamId).setRelayTarget(target);
      return null;
    }
    case "closeStream": {
      const s = stream(req.streamId);
      streams.delete(req.streamId);
      // Streams still relaying into it stop doing so.
      for (const other of streams.values()) other.dropRelayTarget(s);
      const stats = await s.close();
      allocator.release(s.port);
      // A range that ran out left the ready set short: its port can be held ready again.
      void topUpReady();
      return stats;
    }
  }
}

void topUpReady();

port.on("message", (req: EngineRequest | SpawnDoneMessage) => {
  if (req?.type === "spawnDone") {
    spawns.get(req.spawnId)?.(req.result);
    spawns.delete(req.spawnId);
    return;
  }
  if (req?.type !== "request") return;
  handle(req).then(
    (result) => port.postMessage({ type: "response", requestId: req.requestId, ok: true, result } satisfies EngineResponse),
    (e: unknown) =>
      port.postMessage({ type: "response", requestId: req.requestId, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies EngineResponse),
  );
});
