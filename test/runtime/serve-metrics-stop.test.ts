// `ivr serve` as a process (the CLI path): /health and /metrics (Prometheus text) before, during
// and after calls, then a graceful stop on SIGTERM while a call is up: new INVITEs get 503, the
// running call finishes normally, then the process exits 0.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { script } from "./support/ivr-fixture";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario } from "./support/uac-scenario";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(path.join(tmpdir(), "ivr-rt-serve-"));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function get(port: number, p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, body: await res.text() };
}

/** The value of one Prometheus sample line, e.g. metric(body, 'ivr_active_calls'). */
function metric(body: string, name: string): number | undefined {
  const line = body.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : undefined;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!hasSipp)("ivr serve: metrics, health, graceful stop", () => {
  it("serves /health and /metrics, counts calls by cause, and drains on SIGTERM", async () => {
    const callLog = path.join(dir, "calls.jsonl");
    child = spawn(
      process.execPath,
      [
        path.join(ROOT, "cli/ivr.mjs"), "serve",
        "--route", `6000=${script("long-prompt.ts")}`,
        "--route", `6001=${script("hang-up.ts")}`,
        "--sip", "127.0.0.1:0", "--rtp-ports", "44400-44449", "--log", callLog, "--metrics", "127.0.0.1:0",
        "--sounds", dir, "--grace", "5",
      ],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child!.on("exit", (c) => r(c)));
    await until("the serve banner", () => /metrics on http/.test(stderr), 25_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${stderr}`);
    });
    const sipPort = Number(/SIP on udp 127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
    const metricsPort = Number(/http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stderr)?.[1]);

    // idle
    expect(await get(metricsPort, "/health")).toMatchObject({ status: 200 });
    expect(JSON.parse((await get(metricsPort, "/health")).body)).toEqual({ status: "ok" });
    const idle = await get(metricsPort, "/metrics");
    expect(idle.status).toBe(200);
    expect(metric(idle.body, "ivr_active_calls")).toBe(0);
    expect(idle.body).toMatch(/# TYPE ivr_calls_total counter/);
    // event-loop lag of both threads: the SIP/script thread and the media worker
    expect(metric(idle.body, 'ivr_event_loop_lag_seconds{thread="main"}')).toBeGreaterThanOrEqual(0);
    await until("media thread lag", async () =>
      metric((await get(metricsPort, "/metrics")).body, 'ivr_event_loop_lag_seconds{thread="media"}') !== undefined);

    // one finished call is counted by its cause
    const ourBye = writeScenario(dir, "our-bye", { hangup: "ivr" });
    const r1 = await sipp(ourBye, sipPort, "6001");
    expect(r1.code, explain(r1)).toBe(0);
    await until("ivr_calls_total{cause=NORMAL_CLEARING} 1", async () =>
      metric((await get(metricsPort, "/metrics")).body, 'ivr_calls_total{cause="NORMAL_CLEARING"}') === 1);

    // a call in progress shows as active; SIGTERM now
    const long = writeScenario(dir, "long", { steps: [{ pause: 1800 }] });
    const running = sipp(long, sipPort, "6000");
    await until("ivr_active_calls 1", async () => metric((await get(metricsPort, "/metrics")).body, "ivr_active_calls") === 1);
    child.kill("SIGTERM");
    await until("/health draining", async () => (await get(metricsPort, "/health")).status === 503);
    expect(JSON.parse((await get(metricsPort, "/health")).body)).toEqual({ status: "draining" });

    // new calls are refused while draining
    const refused = writeScenario(dir, "refused", { expect: 503 });
    const r3 = await sipp(refused, sipPort, "6001");
    expect(r3.code, explain(r3)).toBe(0);
    expect(child.exitCode).toBeNull(); // still draining: the long call is up

    // the running call ends normally (the caller's BYE), then the process exits 0
    const r2 = await running;
    expect(r2.code, explain(r2)).toBe(0);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 5000))]);
    expect(code, stderr).toBe(0);

    const entries = readFileSync(callLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const starts = entries.filter((e) => e.event === "start");
    expect(starts.map((e) => e.to)).toEqual(["6001", "6000"]); // the refused INVITE never started a call
    const ends = entries.filter((e) => e.event === "end");
    expect(ends.map((e) => e.cause)).toEqual(["NORMAL_CLEARING", "NORMAL_CLEARING"]);
    const longPlay = entries.find((e) => e.method === "streamFile" && e.callId === starts[1].callId);
    expect(longPlay?.result).toBe(0); // cut by the caller's BYE, not by the shutdown
  }, 45_000);
});
