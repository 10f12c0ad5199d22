// Issue 16: three runtimes (`ivr serve --database`) behind Kamailio (deploy/kamailio), one
// PostgreSQL, SIPp callers through Kamailio, on loopback with free ports. The phases share one
// cluster and overlap in time to keep the test short: the load that starts when a runtime is
// killed runs on through the drain of a second one and a 30 s PostgreSQL outage, and must not
// lose a call anywhere in it. Skipped, with one line, without kamailio or postgresql.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterUnavailable, query, readCallLog, seedRoutes, sipOptions, startCallers, startKamailio, startPostgres, startRuntimeProcess, waitFor, warmCli,
  type Kamailio, type Postgres, type RuntimeProcess, type SippLoad,
} from "./cluster";

const unavailable = clusterUnavailable();
if (unavailable) console.log(unavailable);

const NUMBER = "1000";
/** How long each call lasts (the script answers, sleeps, hangs up). */
const HOLD_MS = 700;
/** Longer calls, in progress on the runtime that is drained. */
const LONG_NUMBER = "2000";
const LONG_HOLD_MS = 3000;
/** The outage the issue names. */
const OUTAGE_MS = 30_000;

let work = "";
let pg: Postgres | undefined;
let kamailio: Kamailio | undefined;
let runtimes: RuntimeProcess[] = [];
/** The load started at the kill: runs through the drain and the outage. */
let steady: SippLoad | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const explain = () =>
  [
    ...runtimes.map((r) => `--- ${r.id} ---\n${r.output().slice(-3000)}`),
    `--- kamailio ---\n${kamailio?.output().slice(-3000) ?? ""}`,
  ].join("\n");

type Entry = ReturnType<typeof readCallLog>[number];
const isStart = (e: Entry) => e.event === "start";
const isEnd = (e: Entry) => e.event === "end";
const isMethod = (e: Entry) => typeof e.method === "string";

async function callsOf(runtimeId: string) {
  return query<{ callId: string; startedAt: Date; endedAt: Date | null; cause: string | null }>(pg!.url, `SELECT "callId", "startedAt", "endedAt", cause FROM "Call" WHERE "runtimeId" = $1`, [runtimeId]);
}

beforeAll(async () => {
  if (unavailable) return;
  work = mkdtempSync(path.join(os.tmpdir(), "ivr-cluster-"));
  pg = await startPostgres();
  await seedRoutes(pg.url, { [NUMBER]: HOLD_MS, [LONG_NUMBER]: LONG_HOLD_MS });
  warmCli();
  const sounds = path.join(work, "sounds");
  // Only Kamailio may call the runtimes (on loopback it shares 127.0.0.1 with the callers).
  runtimes = await Promise.all(
    ["rt1", "rt2", "rt3"].map((id, i) =>
      startRuntimeProcess({
        url: pg!.url, id, workDir: work, sounds, allow: "127.0.0.1/32", rtpPorts: [62000 + i * 300, 62299 + i * 300],
        // A small memory queue: the outage below spills the call log to disk.
        env: { IVR_CALL_LOG_MEMORY: "40" },
      }),
    ),
  );
  kamailio = await startKamailio({ workDir: work, runtimes });
}, 180_000);

afterAll(async () => {
  if (steady && steady.child.exitCode === null) steady.child.kill("SIGKILL");
  for (const r of runtimes) if (r.child.exitCode === null) r.child.kill("SIGKILL");
  await kamailio?.stop();
  await pg?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
}, 30_000);

describe.skipIf(!!unavailable)("a cluster: three runtimes behind Kamailio, one PostgreSQL", () => {
  it("spreads calls over the runtimes, and they land in one call log", async () => {
    const burst = await startCallers({ port: kamailio!.port, number: NUMBER, rate: 15, calls: 24, workDir: work, name: "spread" });
    const r = await burst.done;
    expect(r.failed, `${r.errors}\n${explain()}`).toBe(0);
    expect(r.successful).toBe(24);
    const rows = await waitFor(
      "24 ended calls in the database",
      async () => {
        const rows = await query<{ runtimeId: string; n: string }>(pg!.url, `SELECT "runtimeId", count(*) AS n FROM "Call" WHERE "endedAt" IS NOT NULL GROUP BY 1`);
        return rows.reduce((s, x) => s + Number(x.n), 0) === 24 && rows;
      },
      10_000,
    );
    expect(rows.map((x) => x.runtimeId).sort()).toEqual(["rt1", "rt2", "rt3"]);
    // Each runtime's events are in the shared log, each once: the same (call, seq) pairs as its own JSONL log.
    for (const rt of runtimes) {
      const own = readCallLog(rt.logFile).filter(isMethod).map((e) => `${e.callId}/${e.seq}`).sort();
      const inDb = await waitFor(
        `${rt.id}'s events in the database`,
        async () => {
          const got = (await query<{ k: string }>(pg!.url, `SELECT e."callId" || '/' || e.seq AS k FROM "CallEvent" e JOIN "Call" c ON c."callId" = e."callId" WHERE c."runtimeId" = $1`, [rt.id])).map((x) => x.k).sort();
          return got.length === own.length && got;
        },
        10_000,
      );
      expect(inDb).toEqual(own);
      expect(own.length).toBeGreaterThan(0);
    }
  });

  it("a runtime killed mid-load (SIGKILL) is out within 5 s, and no call placed after the kill fails", async () => {
    const [victim] = runtimes;
    const before = await startCallers({ port: kamailio!.port, number: NUMBER, rate: 10, calls: 0, workDir: work, name: "before-kill" });
    await waitFor("calls in progress on rt1", () => readCallLog(victim.logFile).filter(isStart).length > readCallLog(victim.logFile).filter(isEnd).length + 1, 10_000, 20);
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    // From now on: the steady load, through the drain and the outage below.
    steady = await startCallers({ port: kamailio!.port, number: NUMBER, rate: 4, calls: 0, workDir: work, name: "steady", timeoutSec: 300 });
    // Kamailio's OPTIONS probe (or a call that timed out) takes it out of the set.
    const uri = `sip:127.0.0.1:${victim.sipPort}`;
    await waitFor("Kamailio to mark rt1 inactive", () => kamailio!.destinations()[uri]?.startsWith("I"), 10_000, 100);
    expect(Date.now() - killedAt).toBeLessThan(5000);
    const r = await before.finish();
    await victim.exited;
    const log = readCallLog(victim.logFile);
    const ended = new Set(log.filter(isEnd).map((e) => e.callId));
    const cutOff = log.filter((e) => isStart(e) && !ended.has(e.callId)).length;
    // Only the calls the killed runtime had in progress can fail (its media and dialogs are gone);
    // the steady load, all placed after the kill, must not lose one (checked at its end, below).
    expect(r.failed, `${r.errors}\n${explain()}`).toBeLessThanOrEqual(cutOff);
    expect(r.successful).toBeGreaterThan(0);
  }, 60_000);

  it("a drained runtime (SIGUSR2) answers 503 to OPTIONS and /health, finishes its calls, takes no new ones, then exits", async () => {
    const drained = runtimes[1];
    // Two long calls straight to it (Kamailio would spread them), in progress when the drain begins.
    const long = await startCallers({ port: drained.sipPort, number: LONG_NUMBER, rate: 10, calls: 2, workDir: work, name: "long" });
    const longStarts = () => readCallLog(drained.logFile).filter((e) => isStart(e) && e.to === LONG_NUMBER).length;
    await waitFor("two long calls on rt2", () => longStarts() === 2, 10_000, 20);
    const drainAt = Date.now();
    drained.child.kill("SIGUSR2");
    expect(await waitFor("503 to OPTIONS", async () => (await sipOptions(drained.sipPort)) === 503, 2000, 20)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${drained.metricsPort}/health`)).status).toBe(503);
    const longCalls = await long.done;
    expect(longCalls.failed, longCalls.errors).toBe(0);
    expect(longCalls.successful).toBe(2);
    const uri = `sip:127.0.0.1:${drained.sipPort}`;
    await waitFor("Kamailio to mark rt2 inactive", () => kamailio!.destinations()[uri]?.startsWith("I"), 5000, 100);
    expect(await drained.exited, explain()).toBe(0);
    const log = readCallLog(drained.logFile);
    const ends = new Map(log.filter(isEnd).map((e) => [e.callId, e.cause]));
    // Every call it took ended normally (none cut by the drain), and none started after the drain.
    for (const s of log.filter(isStart)) expect(ends.get(s.callId), `call ${s.callId} on rt2`).toBe("NORMAL_CLEARING");
    const late = log.filter((e) => isStart(e) && Date.parse(String(e.ts)) > drainAt + 500);
    expect(late).toEqual([]);
    const rows = await callsOf("rt2");
    expect(rows.length).toBe(log.filter(isStart).length);
    expect(rows.every((c) => c.cause === "NORMAL_CLEARING")).toBe(true);
    const [node] = await query<{ state: string; activeCalls: number }>(pg!.url, `SELECT state, "activeCalls" FROM "RuntimeNode" WHERE id = 'rt2'`);
    expect(node).toEqual({ state: "down", activeCalls: 0 });
  }, 60_000);

  it(`with PostgreSQL stopped for ${OUTAGE_MS / 1000} s under load, calls go on and every call event arrives once when it is back`, async () => {
    const survivor = runtimes[2];
    const endsBefore = readCallLog(survivor.logFile).filter(isEnd).length;
    await pg!.stop();
    const stoppedAt = Date.now();
    // Calls are answered meanwhile with the routes the runtime has.
    await waitFor("calls answered during the outage", () => readCallLog(survivor.logFile).filter(isEnd).length >= endsBefore + 20, OUTAGE_MS, 200);
    await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
    const during = readCallLog(survivor.logFile).filter(isEnd).length - endsBefore;
    await pg!.start();
    const r = await steady!.finish();
    expect(r.failed, `${r.errors}\n${explain()}`).toBe(0);
    expect(during).toBeGreaterThan(OUTAGE_MS / 1000);
    // The outage filled the memory queue (40 entries): the rest waited on disk.
    expect(survivor.output()).toMatch(/keeping the next ones in .*spool/);

    // Every event of every call it logged, once: the database matches its own JSONL log exactly.
    const own = () => readCallLog(survivor.logFile).filter(isMethod).map((e) => `${e.callId}/${e.seq}`).sort();
    const inDb = () => query<{ k: string }>(pg!.url, `SELECT e."callId" || '/' || e.seq AS k FROM "CallEvent" e JOIN "Call" c ON c."callId" = e."callId" WHERE c."runtimeId" = 'rt3'`).then((rows) => rows.map((x) => x.k).sort(), () => []);
    await waitFor("rt3's events in the database", async () => (await inDb()).length >= own().length, 20_000, 250);
    await sleep(600); // the last batch and the last JSONL lines
    expect(await inDb()).toEqual(own());
    const log = readCallLog(survivor.logFile);
    const calls = await callsOf("rt3");
    expect(calls.length).toBe(log.filter(isStart).length);
    const ends = new Map(log.filter(isEnd).map((e) => [e.callId, e.cause]));
    for (const c of calls) expect(c.cause, `call ${c.callId}`).toBe(ends.get(c.callId));
    const spool = path.join(work, "rt3", "cache", "spool", "rt3");
    expect(existsSync(spool) ? readdirSync(spool) : []).toEqual([]);
  }, 90_000);
});
