// An in-process IvrServer for the Lua host tests: routes to scripts, captured call log and
// log lines, a sounds folder with generated prompts, and SIPp as the caller.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { wavHeader } from "../../../runtime/media/wav";
import { compileRoute } from "../../../runtime/routes";
import { IvrServer, type IvrServerOptions } from "../../../runtime/server";
import type { CallLogEntry } from "../../../runtime/session/call-log";
import { runSipp, type SippResult } from "../../sip/sipp-harness";

let callCounter = 0;

export const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../scripts");

export interface LogLine {
  level: string;
  message: string;
  callId?: string;
}

/** A 8 kHz 16-bit mono tone WAV of the given length. */
export function toneWav(file: string, seconds: number, hz = 440): void {
  const n = Math.round(8000 * seconds);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000)), i * 2);
  writeFileSync(file, Buffer.concat([wavHeader(8000, pcm.length), pcm]));
}

export interface TestServer {
  server: IvrServer;
  port: number;
  entries: CallLogEntry[];
  logs: LogLine[];
  soundsDir: string;
  /** SIPp scenario test/sipp/<scenario>.xml calling <number>; resolves once the server logged the call's end. */
  call(scenario: string, number: string, extra?: string[]): Promise<{ sipp: SippResult; callId: string; trace: CallLogEntry[]; logs: LogLine[] }>;
  stop(): Promise<void>;
}

/**
 * routes: number -> script file (relative names resolve in test/lua-host/scripts).
 * rtpPorts must be unique per test file (files run in parallel).
 */
export async function startTestServer(
  routes: Record<string, string>,
  rtpPorts: [number, number],
  extra: Partial<IvrServerOptions> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "ivr-lua-host-"));
  const soundsDir = path.join(dir, "sounds");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(soundsDir);
  toneWav(path.join(soundsDir, "long.wav"), 10);
  toneWav(path.join(soundsDir, "short.wav"), 0.3);
  const entries: CallLogEntry[] = [];
  const logs: LogLine[] = [];
  const server = new IvrServer({
    sipAddress: "127.0.0.1",
    sipPort: 0,
    rtpPorts,
    // A script from test/lua-host/scripts is a hand-installed one (trusted, as `ivr serve --route`
    // makes it); any other path is a generated flow, confined to the sounds/recordings folders.
    routes: Object.entries(routes).map(([pattern, target]) =>
      path.isAbsolute(target)
        ? compileRoute({ pattern, target, files: "confined" })
        : compileRoute({ pattern, target: path.join(SCRIPTS, target), files: "trusted" }),
    ),
    callLog: (e) => entries.push(e),
    log: (level, message, callId) => logs.push({ level, message, callId }),
    soundsDir,
    cacheDir: path.join(dir, "cache"),
    ...extra,
  });
  await server.start();
  const port = server.sipPort;

  const ended = (callId: string) => entries.some((e) => e.callId === callId && "event" in e && e.event === "end");
  async function call(scenario: string, number: string, extraArgs: string[] = []) {
    // A unique SIP Call-ID finds this call's log even when calls to one number run at once.
    const sipCallId = `lua-host-${++callCounter}-${process.pid}`;
    const sipp = await runSipp(scenario, port, number, ["-cid_str", `${sipCallId}-%u@%s`, ...extraArgs]);
    const start = entries.find(
      (e) => "event" in e && e.event === "start" && String(e.sipCallId).startsWith(`${sipCallId}-`),
    );
    if (!start) throw new Error(`no call reached the server (sipp ${sipp.code}): ${sipp.stderr}`);
    const callId = start.callId;
    const until = Date.now() + 5000;
    while (!ended(callId) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return {
      sipp,
      callId,
      trace: entries.filter((e) => e.callId === callId),
      logs: logs.filter((l) => l.callId === callId),
    };
  }
  return {
    server,
    port,
    entries,
    logs,
    soundsDir,
    call,
    async stop() {
      await server.stop(500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The session-method entries of a trace (no start/end events). */
export function methods(trace: CallLogEntry[]) {
  return trace.filter((e): e is Extract<CallLogEntry, { method: string }> => "method" in e);
}

/** The first call of a method in a trace (throws when absent, so a test fails clearly). */
export function firstCall(trace: CallLogEntry[], method: string) {
  const m = methods(trace).find((e) => e.method === method);
  if (!m) throw new Error(`no ${method} in trace: ${methods(trace).map((e) => e.method).join(", ")}`);
  return m;
}

/** The hangup cause from the trace's end event. */
export function endCause(trace: CallLogEntry[]): string | undefined {
  const e = trace.find((x) => "event" in x && x.event === "end") as { cause?: string } | undefined;
  return e?.cause;
}
