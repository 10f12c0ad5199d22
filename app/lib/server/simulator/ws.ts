// The designer's simulator over a WebSocket: GET /api/simulator?flow=ID upgrades (server.mjs
// attaches this to its HTTP server). The socket is the call: the browser sends { start } once,
// then { dtmf }, { dial } (what a dial it was asked about does), { farHangup } (the dialled party
// hangs up) and { hangup }; it receives JSON
// events (node entered, each Session method with its arguments and result, playbacks, dials, logs, the end) and the prompts' audio as binary frames
// (16-bit PCM, 8 kHz). The flow's saved draft runs in a child process per call
// (runtime/testing/simulator-child.ts) with the runtime's script isolation.
//
// Guarded like the API's writes: the Host must be allowed, the Origin must be this server (a
// WebSocket is not covered by CORS, so without this any site could drive a signed-in editor's
// browser into calls), the session cookie must be an editor's, and the run holds a sandbox slot
// (per user and in total, shared with test-case runs; past them the socket closes with 1013 and says why). Frames are small and few: a 64 KB
// payload limit and a rate limit on messages; a call ends when the page closes the socket, when
// the socket stops answering pings, and at most after MAX_CALL_MS.
import { fork, type ChildProcess } from "node:child_process";
import type { IncomingMessage, Server } from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { z } from "zod";
import { generate } from "../../../../generators";
import { bridgeStubSchema, httpStubSchema } from "../../../../flow/test-cases";
import type { SimulatorEvent, SimulatorStart } from "../../../../runtime/testing/simulated-call";
import type { ToSimulator } from "../../../../runtime/testing/simulator-child";
import { requireUser, watchAccess, type Auth, type PublicUser } from "../auth/session";
import { getPrisma } from "../db/client";
import { checkTestable } from "../flows/publish";
import { getFlow } from "../flows/store";
import { ApiError } from "../http";
import { isAllowedHost } from "../hosts";
import { mediaDir, projectRoot } from "../paths";
import { acquireSlot } from "../testing/slots";

export const SIMULATOR_PATH = "/api/simulator";
/** A simulator call is hung up (ALLOTTED_TIMEOUT) after this. */
const MAX_CALL_MS = 10 * 60_000;
const MAX_PAYLOAD = 64 * 1024;
/** Messages a browser may send per second (a dial pad, not a firehose). */
const MAX_MESSAGES_PER_SECOND = 20;
const START_WITHIN_MS = 15_000;
const PING_EVERY_MS = 15_000;

const startSchema = z.strictObject({
  type: z.literal("start"),
  language: z.enum(["lua", "ts"]),
  /** Time of day for the run: an instant and a zone. */
  clock: z.strictObject({ at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO date-time"), zone: z.string().max(64).optional() }).optional(),
  http: z.array(httpStubSchema).max(50).optional(),
  variables: z.record(z.string().max(64), z.string().max(1000)).optional(),
  /** What the flow's dials do: asked each time (default), or always one outcome. */
  dials: z
    .strictObject({
      mode: z.union([z.literal("ask"), bridgeStubSchema.shape.outcome]),
      ringMs: z.number().int().min(0).max(120_000).optional(),
      talkMs: z.number().int().min(0).max(MAX_CALL_MS).optional(),
    })
    .optional(),
});

const inputSchema = z.union([
  z.strictObject({ type: z.literal("dtmf"), digit: z.string().regex(/^[0-9*#A-Da-d]$/) }),
  z.strictObject({ type: z.literal("dial"), id: z.number().int().min(1), outcome: bridgeStubSchema.shape.outcome }),
  z.strictObject({ type: z.literal("farHangup"), id: z.number().int().min(1) }),
  z.strictObject({ type: z.literal("hangup") }),
]);

/** The child's entry: beside this bundle (server.mjs builds both), or from the sources through tsx. */
function childEntry(): { module: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) return { module: path.join(projectRoot(), "runtime", "testing", "simulator-child.ts"), execArgv: ["--import", "tsx"] };
  return { module: path.join(path.dirname(here), "simulator-child.js"), execArgv: [] };
}

/** Only what node and the runtime need: no DATABASE_URL, no session secrets, no credentials. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production" };
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "FFMPEG_PATH"]) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: status === 401 ? "unauthenticated" : status === 429 ? "too_many" : "forbidden", message });
  socket.end(`HTTP/1.1 ${status} ${status === 429 ? "Too Many Requests" : status === 401 ? "Unauthorized" : status === 404 ? "Not Found" : "Forbidden"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** The upgrade request as a Fetch Request, for the API's own session and Origin checks. */
function asRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  // A WebSocket handshake starts a call: checked as a write (requireUser then demands a same-origin Origin).
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, { method: "POST", headers });
}

export function attachSimulator(server: Server, options: { log?: (line: string) => void } = {}): WebSocketServer {
  const log = options.log ?? ((line: string) => console.log(line));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://x");
      if (!isAllowedHost(req.headers.host)) return refuse(socket, 403, "This host name is not allowed.");
      if (!req.headers.origin) return refuse(socket, 403, "A simulator connection must come from the designer (no Origin header).");
      let auth: Auth;
      try {
        auth = await requireUser(asRequest(req), "editor");
      } catch (e) {
        const err = e as ApiError;
        return refuse(socket, err instanceof ApiError ? err.status : 500, err.message);
      }
      const flowId = url.searchParams.get("flow") ?? "";
      // The slot is taken once the handshake is done (a malformed one never calls back, and would keep it).
      wss.handleUpgrade(req, socket, head, (ws) => {
        const slot = acquireSlot(auth.user.id);
        if (!slot.ok) {
          ws.send(JSON.stringify({ type: "error", message: slot.reason }));
          return ws.close(1013, "too many test calls");
        }
        serveCall(ws, auth, flowId, slot.release, log);
      });
    })().catch((e) => {
      log(`[simulator] upgrade failed: ${(e as Error)?.message ?? e}`);
      socket.destroy();
    });
  };
  // Next.js adds an "upgrade" listener of its own to the server once it has served a request, and
  // ends every socket it does not route itself; the session check here is asynchronous, so Next's
  // listener would close our sockets first. Upgrades to the simulator's path never reach it.
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "upgrade" && (args[0] as IncomingMessage).url?.split("?")[0] === SIMULATOR_PATH) {
      onUpgrade(args[0] as IncomingMessage, args[1] as Duplex, args[2] as Buffer);
      return true;
    }
    return emit(event, ...args);
  }) as typeof server.emit;
  // Node hands a request over as an upgrade only when someone listens for "upgrade" (Next may not
  // yet). Other paths are Next's; with nobody else listening they get no answer.
  server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => {
    if (server.listenerCount("upgrade") === 1) socket.destroy();
  });
  return wss;
}

function serveCall(ws: WebSocket, auth: Auth, flowId: string, release: () => void, log: (line: string) => void): void {
  const user: PublicUser = auth.user;
  let child: ChildProcess | undefined;
  let ended = false;
  const sendJson = (m: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const fail = (message: string) => {
    sendJson({ type: "error", message });
    ws.close(1008, message.slice(0, 120));
  };
  const cleanup = () => {
    if (ended) return;
    ended = true;
    unwatch();
    clearTimeout(startTimer);
    clearTimeout(hardStop);
    clearInterval(pinger);
    release();
    if (child && child.exitCode === null) {
      if (child.connected) child.send({ type: "hangup" } satisfies ToSimulator);
      const c = child;
      setTimeout(() => c.exitCode === null && c.kill("SIGKILL"), 2000).unref();
    }
  };
  // Disabled, demoted, deleted or signed out elsewhere: the call ends now, not at its next check.
  const unwatch = watchAccess(auth, () => fail("Your access to the designer changed: sign in again."));
  const startTimer = setTimeout(() => fail("No start message."), START_WITHIN_MS);
  const hardStop = setTimeout(() => child?.kill("SIGKILL"), MAX_CALL_MS + 20_000);
  let alive = true;
  const pinger = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, PING_EVERY_MS);
  ws.on("pong", () => (alive = true));
  ws.on("close", cleanup);
  ws.on("error", cleanup);

  let windowStart = Date.now();
  let inWindow = 0;
  ws.on("message", (data: RawData, isBinary: boolean) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      inWindow = 0;
    }
    if (++inWindow > MAX_MESSAGES_PER_SECOND) return fail("Too many messages.");
    if (isBinary) return fail("Binary messages are not accepted.");
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return fail("Messages are JSON.");
    }
    if (!child) {
      const start = startSchema.safeParse(msg);
      if (!start.success) return fail(`Bad start message: ${start.error.issues[0]?.message ?? "invalid"}`);
      clearTimeout(startTimer);
      void begin(start.data).catch((e) => fail((e as Error)?.message ?? String(e)));
      return;
    }
    const input = inputSchema.safeParse(msg);
    if (!input.success) return fail("Expected { type: 'dtmf', digit }, { type: 'dial', id, outcome }, { type: 'farHangup', id } or { type: 'hangup' }.");
    if (child.connected) child.send(input.data satisfies ToSimulator);
  });

  async function begin(s: z.output<typeof startSchema>): Promise<void> {
    if (child || ended) return;
    const prisma = await getPrisma();
    const flow = await getFlow(prisma, flowId);
    // Running the draft runs its code: the caller's rights to it, and no errors.
    await checkTestable(prisma, user, flow.graph);
    const code = generate(flow.graph, s.language).code;
    if (ended) return;
    const entry = childEntry();
    const c = (child = fork(entry.module, [], {
      execArgv: [...entry.execArgv, "--max-old-space-size=256"],
      cwd: projectRoot(),
      env: childEnv(),
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    }));
    let stderr = "";
    c.stderr?.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
    c.on("message", (e: SimulatorEvent) => {
      if (e.type === "audio") {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.from(e.pcm.buffer, e.pcm.byteOffset, e.pcm.byteLength), { binary: true });
      } else sendJson(e);
    });
    c.on("exit", (code, signal) => {
      if (code !== 0 && !ended) log(`[simulator] a simulator call's process ended (${signal ?? code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
      if (ws.readyState === ws.OPEN) ws.close(1000, "call ended");
      cleanup();
    });
    const start: SimulatorStart = {
      language: s.language,
      code,
      clock: s.clock,
      http: s.http,
      variables: s.variables,
      dials: s.dials,
      soundsDir: process.env.IVR_MEDIA_DIR ? path.resolve(projectRoot(), process.env.IVR_MEDIA_DIR) : mediaDir(),
      cacheDir: path.join(projectRoot(), ".ivr-cache", "simulator"),
      maxCallMs: MAX_CALL_MS,
    };
    c.send({ type: "start", start } satisfies ToSimulator);
    sendJson({ type: "started", flow: flow.name, language: s.language });
  }
}
