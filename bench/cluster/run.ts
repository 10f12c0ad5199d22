// bench/cluster (issue 16): the cost of Kamailio in front of the runtimes, on this box.
//
// A PostgreSQL of its own, three runtimes (`ivr serve --database`) and Kamailio with
// deploy/kamailio's config, on loopback (fixtures/cluster.ts starts them, as for test/cluster). SIPp callers call a
// route whose script answers, sleeps --hold ms and hangs up. The runtimes share this machine's
// cores, so 1 -> 3 runtimes measures Kamailio's and the cluster's overhead, not scaling.
//
//   0. Warm-up: --rate calls straight to each runtime (not measured).
//   1. Direct: SIPp straight to one runtime at --rate calls/s for --seconds: the baseline.
//   2. Through Kamailio with 1, 2 and 3 runtimes in its dispatcher list, the same load:
//      calls/s completed, failed calls, peak concurrent calls (summed over the runtimes'
//      ivr_active_calls), INVITE->200 p50/p99, and Kamailio's added p99 (vs the direct baseline).
//   3. Failover: 3 runtimes, the same load; one is killed (SIGKILL) a third of the way in:
//      calls lost (in progress on it), calls that waited for a failover (INVITE->200 above the
//      FR_TIMER of the attempt that timed out), the failover gap (from the kill to the last
//      new call that did not get straight through), and how long until Kamailio marked it down.
//
//   npm run bench:cluster -- [--rate 10] [--seconds 8] [--hold 2000] [--json]
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  seedRoutes, startCallers, startKamailio, startPostgres, startRuntimeProcess, clusterUnavailable, waitFor, warmCli,
  type Kamailio, type RuntimeProcess, type SippOutcome,
} from "../../fixtures/cluster";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "10" },
    seconds: { type: "string", default: "8" },
    hold: { type: "string", default: "2000" },
    json: { type: "boolean", default: false },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const HOLD = Number(values.hold);
const NUMBER = "1000";
/** Kamailio's wait for a runtime's first answer before it fails over (deploy/kamailio FR_TIMER). */
const FR_TIMER = 2000;

const unavailable = clusterUnavailable();
if (unavailable) {
  console.log(unavailable.replace("cluster test", "bench/cluster"));
  process.exit(0);
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function activeCalls(r: RuntimeProcess): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${r.metricsPort}/metrics`)).text();
    return Number(/^ivr_active_calls (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Sum of the runtimes' calls in progress, sampled every 200 ms until stop(); its peak. */
function samplePeak(runtimes: RuntimeProcess[]): { stop(): number } {
  let peak = 0;
  let on = true;
  void (async () => {
    while (on) {
      const n = (await Promise.all(runtimes.filter((r) => r.child.exitCode === null).map(activeCalls))).reduce((a, b) => a + b, 0);
      peak = Math.max(peak, n);
      await sleep(200);
    }
  })();
  return {
    stop() {
      on = false;
      return peak;
    },
  };
}

interface Step {
  name: string;
  runtimes: number;
  calls: number;
  failed: number;
  callsPerSecond: number;
  peakConcurrent: number;
  p50: number;
  p99: number;
  addedP99?: number;
}

async function load(work: string, name: string, port: number, watch: RuntimeProcess[], during?: (startedAt: number) => Promise<void>): Promise<{ outcome: SippOutcome; seconds: number; peak: number; startedAt: number }> {
  const peak = samplePeak(watch);
  const startedAt = Date.now();
  const callers = await startCallers({ port, number: NUMBER, rate: RATE, calls: RATE * SECONDS, workDir: work, name, timeoutSec: SECONDS + 60 });
  await during?.(startedAt);
  const outcome = await callers.done;
  return { outcome, seconds: (Date.now() - startedAt) / 1000, peak: peak.stop(), startedAt };
}

const step = (name: string, runtimes: number, r: Awaited<ReturnType<typeof load>>): Step => ({
  name,
  runtimes,
  calls: r.outcome.successful,
  failed: r.outcome.failed,
  // Completed calls over the time from the first INVITE to the last BYE.
  callsPerSecond: Math.round((r.outcome.successful / r.seconds) * 10) / 10,
  peakConcurrent: r.peak,
  p50: pct(r.outcome.rtts, 50),
  p99: pct(r.outcome.rtts, 99),
});

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "ivr-bench-cluster-"));
  const load0 = os.loadavg()[0];
  const pg = await startPostgres();
  let kamailio: Kamailio | undefined;
  const runtimes: RuntimeProcess[] = [];
  const steps: Step[] = [];
  try {
    await seedRoutes(pg.url, { [NUMBER]: HOLD });
    warmCli();
    for (const [i, id] of ["rt1", "rt2", "rt3"].entries()) {
      runtimes.push(await startRuntimeProcess({ url: pg.url, id, workDir: work, sounds: path.join(work, "sounds"), allow: "127.0.0.1/32", rtpPorts: [46000 + i * 1000, 46999 + i * 1000] }));
    }
    const say = (line: string) => !values.json && console.log(line);
    say(`bench/cluster: ${RATE} calls/s for ${SECONDS} s, ${HOLD} ms per call; load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")} (${os.cpus().length} cores)`);

    // Warm-up, not measured: each runtime's first calls compile the script and warm its isolates
    // (else the first step measured, the direct one, pays for it).
    await Promise.all(runtimes.map(async (r) => (await startCallers({ port: r.sipPort, number: NUMBER, rate: RATE, calls: RATE, workDir: work, name: `warm-${r.id}` })).done));
    const direct = step("direct to one runtime", 1, await load(work, "direct", runtimes[0].sipPort, runtimes));
    steps.push(direct);
    for (const n of [1, 2, 3]) {
      kamailio = await startKamailio({ workDir: path.join(work, `k${n}`), runtimes: runtimes.slice(0, n) });
      const s = step(`through Kamailio, ${n} runtime(s)`, n, await load(work, `kamailio-${n}`, kamailio.port, runtimes.slice(0, n)));
      s.addedP99 = s.p99 - direct.p99;
      steps.push(s);
      await kamailio.stop();
      kamailio = undefined;
    }
    for (const s of steps) {
      say(
        `  ${s.name.padEnd(32)} ${String(s.calls).padStart(5)} calls, ${String(s.failed).padStart(3)} failed, ${String(s.callsPerSecond).padStart(5)} calls/s, ` +
          `peak ${String(s.peakConcurrent).padStart(3)} concurrent, INVITE->200 p50 ${s.p50} ms p99 ${s.p99} ms` +
          (s.addedP99 !== undefined ? ` (Kamailio adds ${s.addedP99} ms at p99)` : ""),
      );
    }

    // Failover: kill one of three a third of the way in.
    kamailio = await startKamailio({ workDir: path.join(work, "kfail"), runtimes });
    const victim = runtimes[2];
    const uri = `sip:127.0.0.1:${victim.sipPort}`;
    let killedAt = 0;
    let markedDownMs = NaN;
    const k = kamailio;
    const r = await load(work, "failover", k.port, runtimes, async (startedAt) => {
      await sleep(Math.max(0, startedAt + (SECONDS * 1000) / 3 - Date.now()));
      victim.child.kill("SIGKILL");
      killedAt = Date.now();
      await waitFor("Kamailio to mark the killed runtime down", () => k.destinations()[uri]?.startsWith("I"), 30_000, 50).then(
        () => (markedDownMs = Date.now() - killedAt),
        () => undefined,
      );
    });
    // Calls that waited for a failover: their first attempt went to the dead runtime.
    const killAtMs = killedAt - r.startedAt;
    const delayed = r.outcome.rttAt.filter(([, rtt]) => rtt >= FR_TIMER * 0.9);
    const lastDelayed = delayed.length ? Math.max(...delayed.map(([at]) => at)) : killAtMs;
    const failover = {
      calls: r.outcome.successful,
      lost: r.outcome.failed,
      delayedByFailover: delayed.length,
      gapSeconds: Math.max(0, Math.round((lastDelayed - killAtMs) / 100) / 10),
      markedDownMs,
    };
    say(
      `  failover (3 runtimes, one killed): ${failover.calls} calls, ${failover.lost} lost (in progress on the killed runtime), ` +
        `${failover.delayedByFailover} new call(s) waited ${FR_TIMER} ms for a failover, gap ${failover.gapSeconds} s after the kill; ` +
        `Kamailio marked it down after ${failover.markedDownMs} ms`,
    );
    say(`  load average before ${load0.toFixed(2)}, after ${os.loadavg()[0].toFixed(2)}`);
    if (values.json) console.log(JSON.stringify({ rate: RATE, seconds: SECONDS, holdMs: HOLD, loadAverage: [load0, os.loadavg()[0]], steps, failover }, null, 2));
  } finally {
    await kamailio?.stop();
    for (const r of runtimes) if (r.child.exitCode === null) r.child.kill("SIGTERM");
    await Promise.all(runtimes.map((r) => Promise.race([r.exited, sleep(8000)])));
    await pg.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
