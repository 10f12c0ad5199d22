// The runtime thread of npm start is supervised: when it dies, the web server's thread starts it
// again (with the current routes) and SIP answers again; once stop() has begun, it is not
// restarted. The "crash" is the runtime thread ended from outside (Worker.terminate()), caught by
// wrapping node:worker_threads' Worker for this file only, before the bundled runtime loads.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Worker as WorkerType } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeHandle } from "../../app/lib/server/runtime";
import { startTestDatabase, stopTestDatabase } from "../api/helpers";
import { hasSipp, runSipp } from "../sip/sipp-harness";
import { loadBundledRuntime, mediaWithPrompts, waitFor } from "./support";

const runtimeThreads: WorkerType[] = [];
const threads = createRequire(import.meta.url)("node:worker_threads") as { Worker: typeof WorkerType };
const Original = threads.Worker;
threads.Worker = class extends Original {
  constructor(...args: ConstructorParameters<typeof WorkerType>) {
    super(...args);
    if ((args[1]?.workerData as { role?: string } | undefined)?.role === "ivr-runtime") runtimeThreads.push(this);
  }
};
syncBuiltinESMExports();

let runtime: RuntimeHandle;
const lines: string[] = [];
const media = mediaWithPrompts("main-menu");
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "ivr-rtapp-restart-"));
const explain = () => lines.join("\n");

beforeAll(async () => {
  const db = await startTestDatabase();
  const config = {
    sipAddress: "127.0.0.1",
    sipPort: 0,
    rtpPorts: [61300, 61399] as [number, number],
    allowNetworks: ["127.0.0.0/8"],
    soundsDir: media,
    starterSounds: false,
    recordingsDir: path.join(cacheDir, "recordings"),
    ownThread: true,
  };
  runtime = await (await loadBundledRuntime()).startRuntime({ prisma: db.prisma, cacheDir, log: (l) => lines.push(l), pollMs: 150, config });
}, 60_000);

afterAll(async () => {
  await runtime?.stop(1000);
  await stopTestDatabase();
  threads.Worker = Original;
  syncBuiltinESMExports();
  rmSync(media, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}, 20_000);

describe.skipIf(!hasSipp)("the runtime thread's supervisor", () => {
  it("starts a runtime thread that died again, and SIP answers again", async () => {
    expect(runtimeThreads).toHaveLength(1);
    const before = await runtime.stats();
    expect(before.sipPort).toBe(runtime.sipPort);
    await runtimeThreads[0].terminate();
    await waitFor("the restart", () => lines.some((l) => /runtime thread restarted/.test(l)), 20_000, explain);
    expect(lines.some((l) => /the runtime thread stopped unexpectedly \(code 1\); calls in progress were lost/.test(l)), explain()).toBe(true);
    expect(runtimeThreads).toHaveLength(2);
    // SIP port 0: the new thread bound a new port, and the handle says which.
    const after = await runtime.stats();
    expect(after.sipPort).toBe(runtime.sipPort);
    const ping = await runSipp("../runtime-app/sipp/options-ping", runtime.sipPort, "ping");
    expect(ping.code, `${ping.stdout}\n${ping.stderr}\n${explain()}`).toBe(0);
  }, 60_000);

  it("does not restart it once the server is stopping", async () => {
    const deaths = () => lines.filter((l) => /stopped unexpectedly/.test(l)).length;
    const before = deaths();
    await runtime.stop(1000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(runtimeThreads).toHaveLength(2);
    expect(deaths()).toBe(before);
    await expect(runtime.stats()).rejects.toThrow(/not running/);
  }, 30_000);
});
