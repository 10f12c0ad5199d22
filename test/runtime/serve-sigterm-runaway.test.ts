// `ivr serve` stops on SIGTERM even while a TS script spins in for(;;){} (issue 11, finding 1:
// on 1df1693 the loop held the process's only thread, so SIGTERM did nothing and only SIGKILL
// ended it). The script runs in its own isolate: the signal is handled, the call is hung up
// (the caller gets our BYE), the script is stopped and the process exits 0.
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
const dir = mkdtempSync(path.join(tmpdir(), "ivr-rt-sigterm-"));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(!hasSipp)("ivr serve: SIGTERM with a runaway TS script", () => {
  it("handles the signal, hangs the call up and exits 0 long before the script's CPU budget", async () => {
    const callLog = path.join(dir, "calls.jsonl");
    child = spawn(
      process.execPath,
      [
        path.join(ROOT, "cli/ivr.mjs"), "serve",
        "--route", `8200=${script("runaway.ts")}`,
        "--sip", "127.0.0.1:0", "--rtp-ports", "44700-44749", "--log", callLog, "--metrics", "127.0.0.1:0",
        "--sounds", dir, "--grace", "1", "--cpu-budget", "60000",
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
    const activeCalls = async () => {
      const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(/^ivr_active_calls (\d+)/m.exec(body)?.[1]);
    };

    // The caller waits for our BYE; the script answers and spins (its budget is a minute).
    const call = sipp(writeScenario(dir, "runaway", { hangup: "ivr" }), sipPort, "8200", [], 30_000);
    const deadline = Date.now() + 10_000;
    while ((await activeCalls()) !== 1) {
      if (Date.now() > deadline) throw new Error(`the runaway call never came up\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // While the script spins, this process's SIP/metrics thread still answers.
    expect(await activeCalls()).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // well into the loop
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 15_000))]);
    expect(code, stderr).toBe(0);
    const r = await call;
    expect(r.code, explain(r)).toBe(0); // our BYE reached the caller
    const end = readFileSync(callLog, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.event === "end");
    expect(end?.cause).toBe("SYSTEM_SHUTDOWN");
  }, 60_000);
});
