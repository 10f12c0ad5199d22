// An in-process IvrServer on 127.0.0.1 for end-to-end tests: its own SIP port (0 = any),
// its own RTP range, a temp dir, and the call log kept in memory for assertions.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "../../../generators";
import { loadFlow } from "../../../flow/graph";
import { wavHeader } from "../../../runtime/media/wav";
import { compileRoute, type Route } from "../../../runtime/routes";
import { IvrServer, type IvrServerOptions } from "../../../runtime/server";
import type { CallLogEntry } from "../../../runtime/session/call-log";

export const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../scripts");
export const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples");

export type MethodEntry = Extract<CallLogEntry, { method: string }>;
export type EndEntry = Extract<CallLogEntry, { event: "end" }>;
export type StartEntry = Extract<CallLogEntry, { event: "start" }>;

export interface IvrFixture {
  server: IvrServer;
  port: number;
  dir: string;
  log: CallLogEntry[];
  /** Server log lines ("level message"), for failure messages. */
  lines: string[];
  /** The call log of the (first) call to `number`, once it has ended. */
  callTo(number: string, timeoutMs?: number): Promise<CallTrace>;
  stop(graceMs?: number): Promise<void>;
}

export interface CallTrace {
  start: StartEntry;
  end: EndEntry;
  methods: MethodEntry[];
  /** Results of one method, in order. */
  results(method: string): unknown[];
}

export interface FixtureOptions extends Partial<Omit<IvrServerOptions, "routes">> {
  /** Prompt files (relative to the sounds dir) to create as short silent WAVs. */
  prompts?: string[];
  /** number -> script path (absolute, or relative to test/runtime/scripts) with optional args. */
  routes: Record<string, string>;
  rtpPorts: [number, number];
}

/** A script file under test/runtime/scripts. */
export const script = (name: string) => path.join(SCRIPTS, name);

/**
 * Generate an examples/*.json flow into `dir` as a TS or Lua script, after `tweak` (e.g. shorter
 * timeouts than the example's own, to keep tests fast).
 */
export function flowScript(dir: string, example: string, lang: "ts" | "lua" = "ts", tweak?: (flow: ReturnType<typeof loadFlow>) => void): string {
  const flow = loadFlow(JSON.parse(readFileSync(path.join(EXAMPLES, `${example}.json`), "utf8")));
  tweak?.(flow);
  const out = generate(flow, lang, { validate: { authorIsAdmin: true } });
  const file = path.join(dir, `${example}.${lang}`);
  writeFileSync(file, out.code);
  return file;
}

/**
 * The relative .wav prompts an example flow plays. They must exist: as in FreeSWITCH, a menu whose
 * prompt cannot be opened returns at once without collecting digits.
 */
export function examplePrompts(...examples: string[]): string[] {
  const found = new Set<string>();
  for (const ex of examples) {
    const text = readFileSync(path.join(EXAMPLES, `${ex}.json`), "utf8");
    for (const m of text.matchAll(/"([^"]*\.wav)"/g)) {
      for (const part of m[1].replace(/^file_string:\/\//, "").split("!")) if (!path.isAbsolute(part) && !part.includes("$")) found.add(part);
    }
  }
  return [...found];
}

function writeSilentPrompts(soundsDir: string, prompts: string[], ms = 100): void {
  const data = Buffer.alloc(ms * 16);
  for (const p of prompts) {
    const file = path.join(soundsDir, p);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.concat([wavHeader(8000, data.length), data]));
  }
}

export async function startIvr(options: FixtureOptions): Promise<IvrFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "ivr-rt-"));
  const log: CallLogEntry[] = [];
  const lines: string[] = [];
  // A script from test/runtime/scripts is a hand-installed one (trusted, as `ivr serve --route`
  // makes it); any other path is a generated flow, confined to the sounds/recordings folders.
  const routes: Route[] = Object.entries(options.routes).map(([pattern, target]) =>
    path.isAbsolute(target)
      ? compileRoute({ pattern, target, files: "confined" })
      : compileRoute({ pattern, target: path.join(SCRIPTS, target), files: "trusted" }),
  );
  const { routes: _r, prompts, ...rest } = options;
  writeSilentPrompts(path.join(dir, "sounds"), prompts ?? []);
  const server = new IvrServer({
    sipAddress: "127.0.0.1",
    sipPort: 0,
    cacheDir: path.join(dir, "cache"),
    soundsDir: path.join(dir, "sounds"),
    callLog: (e) => log.push(e),
    log: (level, msg) => lines.push(`${level} ${msg}`),
    sipTimers: { T1: 50 },
    mediaTimeoutSec: 10,
    ...rest,
    routes,
  });
  await server.start();
  let stopped = false;
  const fixture: IvrFixture = {
    server,
    port: server.sipPort,
    dir,
    log,
    lines,
    async callTo(number, timeoutMs = 8000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const start = log.find((e): e is StartEntry => "event" in e && e.event === "start" && e.to === number);
        const end = start && log.find((e): e is EndEntry => "event" in e && e.event === "end" && e.callId === start.callId);
        if (start && end) {
          const methods = log.filter((e): e is MethodEntry => "method" in e && e.callId === start.callId);
          return { start, end, methods, results: (m) => methods.filter((x) => x.method === m).map((x) => x.result) };
        }
        if (Date.now() > until) {
          throw new Error(`no finished call to ${number} within ${timeoutMs} ms\nlog:\n${log.map((e) => JSON.stringify(e)).join("\n")}\nserver:\n${lines.join("\n")}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(graceMs = 1000) {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop(graceMs);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return fixture;
}
