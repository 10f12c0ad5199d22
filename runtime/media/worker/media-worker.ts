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
import type { EngineEventMessage, EngineRequest, EngineResponse, EngineWorkerData, SpawnDoneMessage, SpawnRequestMessage, WorkerStats } from "./protocol";

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
      const { socket, port: localPort } = await allocator.bind(req.args.localPortRange ?? config.portRange);
      const id = nextStreamId;
      nextStreamId += idStride;
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
      return stats;
    }
  }
}

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
