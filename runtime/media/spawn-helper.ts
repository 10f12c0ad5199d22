// Runs child programs (ffmpeg) on behalf of the media threads from a small helper process.
// Starting a child from a big process blocks the calling thread while the kernel copies its page
// tables: measured here, 100-180 ms from a 570 MB Node process — every stream of a media worker
// would fall silent that long. The helper is started once, while the runtime is still small, and
// does the spawning itself; the media thread only writes one line and reads one back.
// Commands are an executable and an argument list (never a shell line); the helper runs nothing else.
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface SpawnResult {
  /** Exit code, or null when killed by a signal (a timeout). */
  code: number | null;
  signal: string | null;
  /** The last few kB of the program's stderr. */
  stderr: string;
}

export type SpawnFn = (cmd: string, args: string[], timeoutMs: number) => Promise<SpawnResult>;

const STDERR_KEEP = 4000;

// The helper's program: plain CommonJS for `node -e`, so it needs no build step and loads fast.
const HELPER_SOURCE = `
const { spawn } = require("node:child_process");
const out = (o) => process.stdout.write(JSON.stringify(o) + "\\n");
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  let job;
  try { job = JSON.parse(line); } catch { return; }
  if (typeof job.cmd !== "string" || !Array.isArray(job.args)) return out({ id: job.id, error: "bad job" });
  let stderr = "";
  let child;
  try { child = spawn(job.cmd, job.args.map(String), { stdio: ["ignore", "ignore", "pipe"] }); } catch (e) { return out({ id: job.id, error: String(e && e.message || e) }); }
  child.stderr.on("data", (d) => { stderr = (stderr + d).slice(-${STDERR_KEEP}); });
  const timer = job.timeoutMs > 0 ? setTimeout(() => child.kill("SIGKILL"), job.timeoutMs) : undefined;
  let done = false;
  child.on("error", (e) => { if (done) return; done = true; clearTimeout(timer); out({ id: job.id, error: e.message }); });
  child.on("close", (code, signal) => { if (done) return; done = true; clearTimeout(timer); out({ id: job.id, code, signal, stderr }); });
});
process.stdin.on("end", () => process.exit(0));
`;

/** Spawns directly from this process (tests, tools): blocks this thread while forking. */
export const spawnHere: SpawnFn = (cmd, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: string }) | null;
      if (e && typeof e.code === "string") resolve({ code: 127, signal: null, stderr: e.message });
      else resolve({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, signal: e?.signal ?? null, stderr: String(stderr).slice(-STDERR_KEEP) });
    });
  });

export class SpawnHelper {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (r: SpawnResult) => void>();
  private closed = false;

  /** Starts the helper now (call it while this process is small). */
  constructor() {
    this.start();
  }

  private start(): void {
    const child = spawn(process.execPath, ["-e", HELPER_SOURCE], { stdio: ["pipe", "pipe", "ignore"] });
    this.child = child;
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let r: { id: number; code?: number | null; signal?: string | null; stderr?: string; error?: string };
      try {
        r = JSON.parse(line);
      } catch {
        return;
      }
      const resolve = this.pending.get(r.id);
      if (!resolve) return;
      this.pending.delete(r.id);
      resolve(r.error !== undefined ? { code: 127, signal: null, stderr: r.error } : { code: r.code ?? null, signal: r.signal ?? null, stderr: r.stderr ?? "" });
    });
    child.stdin!.on("error", () => undefined); // a dead helper: handled on exit
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      // what it was running is lost: those jobs fail, the next job starts a new helper
      for (const resolve of this.pending.values()) resolve({ code: null, signal: "SIGKILL", stderr: why });
      this.pending.clear();
    };
    child.on("error", (e) => gone(`spawn helper failed: ${e.message}`));
    child.on("exit", () => gone("spawn helper exited"));
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
  }

  readonly run: SpawnFn = (cmd, args, timeoutMs) => {
    if (this.closed) return Promise.resolve({ code: 127, signal: null, stderr: "spawn helper closed" });
    if (!this.child) this.start();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child!.stdin!.write(`${JSON.stringify({ id, cmd, args, timeoutMs })}\n`);
    });
  };

  /** The helper's pid (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  close(): void {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    for (const resolve of this.pending.values()) resolve({ code: 127, signal: null, stderr: "spawn helper closed" });
    this.pending.clear();
    child?.stdin?.end();
  }
}
