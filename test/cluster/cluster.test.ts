// Issue 16: three runtimes (`ivr serve --database`) behind Kamailio (deploy/kamailio), one
// PostgreSQL, SIPp callers through Kamailio, on loopback with free ports. Kamailio listens on
// 127.0.0.2 and the runtimes allow only that address, so a caller on 127.0.0.1 cannot reach them
// directly. The phases share one cluster and overlap in time to keep the test short: a runtime is
// killed, and at that moment a steady load starts and PostgreSQL is stopped for 30 s; during the
// outage a second runtime is drained (its call log waits in its spool) and, once PostgreSQL is
// back, started again (a rolling restart). The steady load must not lose a call anywhere in it,
// and every call event of the surviving runtimes must be in the database exactly once.
// Skipped, with one line, without kamailio or postgresql.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterUnavailable, query, readCallLog, seedRoutes, sipInvite, sipOptions, startCallers, startKamailio, startPostgres, startRuntimeProcess, waitFor, warmCli,
  type Kamailio, type Postgres, type RuntimeProcess, type SippLoad,
} from "../../fixtures/cluster";

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
/** Kamailio's address: the only one the runtimes take calls from. */
const KAMAILIO_HOST = "127.0.0.2";

let work = "";
let pg: Postgres | undefined;
let kamailio: Kamailio | undefined;
let runtimes: RuntimeProcess[] = [];
/** The load started at the kill: runs through the outage, the drain and the restart. */
let steady: SippLoad | undefined;
let outageFrom = 0;
let drainAt = 0;
/** rt2 started again after its drain. */
let restarted: RuntimeProcess | undefined;
let restartAt = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const explain = () =>
  [
    ...[...runtimes, ...(restarted ? [restarted] : [])].map((r) => `--- ${r.id} ---\n${r.output().slice(-3000)}`),
    `--- kamailio ---\n${kamailio?.output().slice(-3000) ?? ""}`,
  ].join("\n");

type Entry = ReturnType<typeof readCallLog>[number];
const isStart = (e: Entry) => e.event === "start";
const isEnd = (e: Entry) => e.event === "end";
const isMethod = (e: Entry) => typeof e.method === "string";
const inProgress = (file: string) => {
  const log = readCallLog(file);
  return log.filter(isStart).length - log.filter(isEnd).length;
};

const runtimeOptions = (id: string, i: number) => ({
  url: pg!.url, id, workDir: work, sounds: path.join(work, "sounds"), allow: `${KAMAILIO_HOST}/32`, rtpPorts: [62000 + i * 300, 62299 + i * 300] as [number, number],
  // A small memory queue: the outage spills the call log to disk.
  env: { IVR_CALL_LOG_MEMORY: "40" },
});

/** The database holds exactly the events of a runtime's own JSONL log: none lost, none twice. */
async function expectLogInDatabase(runtimeId: string, file: string): Promise<void> {
  const own = () => readCallLog(file).filter(isMethod).map((e) => `${e.callId}/${e.seq}`).sort();
  const inDb = () =>
    query<{ k: string }>(pg!.url, `SELECT e."callId" || '/' || e.seq AS k FROM "CallEvent" e JOIN "Call" c ON c."callId" = e."callId" WHERE c."runtimeId" = $1`, [runtimeId]).then(
      (rows) => rows.map((x) => x.k).sort(),
      () => [] as string[],
    );
  await waitFor(`${runtimeId}'s events in the database`, async () => (await inDb()).length >= own().length, 20_000, 250);
  await sleep(600); // the last batch and the last JSONL lines
  expect(await inDb()).toEqual(own());
  expect(own().length).toBeGreaterThan(0);
  const log = readCallLog(file);
  const calls = await query<{ callId: string; cause: string | null }>(pg!.url, `SELECT "callId", cause FROM "Call" WHERE "runtimeId" = $1`, [runtimeId]);
  expect(calls.length).toBe(log.filter(isStart).length);
  const ends = new Map(log.filter(isEnd).map((e) => [e.callId, e.cause]));
  for (const c of calls) expect(c.cause, `call ${c.callId}`).toBe(ends.get(c.callId));
}

beforeAll(async () => {
  if (unavailable) return;
  work = mkdtempSync(path.join(os.tmpdir(), "ivr-cluster-"));
  pg = await startPostgres();
  await seedRoutes(pg.url, { [NUMBER]: HOLD_MS, [LONG_NUMBER]: LONG_HOLD_MS });
  warmCli();
  runtimes = await Promise.all(["rt1", "rt2", "rt3"].map((id, i) => startRuntimeProcess(runtimeOptions(id, i))));
  kamailio = await startKamailio({ workDir: work, runtimes, host: KAMAILIO_HOST });
}, 180_000);

afterAll(async () => {
  if (steady && steady.child.exitCode === null) steady.child.kill("SIGKILL");
  for (const r of [...runtimes, ...(restarted ? [restarted] : [])]) if (r.child.exitCode === null) r.child.kill("SIGKILL");
  await kamailio?.stop();
  await pg?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
}, 30_000);

describe.skipIf(!!unavailable)("a cluster: three runtimes behind Kamailio, one PostgreSQL", () => {
  it("spreads calls over the runtimes, they land in one call log, and only Kamailio may call a runtime", async () => {
    const burst = await startCallers({ host: KAMAILIO_HOST, port: kamailio!.port, number: NUMBER, rate: 15, calls: 24, workDir: work, name: "spread" });
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
    for (const rt of runtimes) await expectLogInDatabase(rt.id, rt.logFile);
    // A caller that is not Kamailio, straight to a runtime: refused.
    expect(await sipInvite(runtimes[2].sipPort, NUMBER)).toBe(403);
  });

  it("picks up a route added in the database", async () => {
    await query(pg!.url, `INSERT INTO "Route" (id, pattern, "flowId", "updatedAt") SELECT 'route3000', '3000', "flowId", now() FROM "Route" WHERE pattern = $1`, [NUMBER]);
    for (const rt of runtimes) await waitFor(`${rt.id} to serve the new route`, () => /routes updated: 3 route\(s\) served/.test(rt.output()), 10_000, 50);
    const r = await (await startCallers({ host: KAMAILIO_HOST, port: kamailio!.port, number: "3000", rate: 10, calls: 3, workDir: work, name: "new-route" })).done;
    expect(r.failed, r.errors).toBe(0);
    expect(r.successful).toBe(3);
  });

  it("a runtime killed mid-load (SIGKILL) is out within 5 s, and no call placed after the kill fails", async () => {
    const [victim] = runtimes;
    const before = await startCallers({ host: KAMAILIO_HOST, port: kamailio!.port, number: NUMBER, rate: 10, calls: 0, workDir: work, name: "before-kill" });
    await waitFor("calls in progress on rt1", () => inProgress(victim.logFile) > 1, 10_000, 20);
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    // From now on: the steady load, through the outage, the drain and the restart below.
    steady = await startCallers({ host: KAMAILIO_HOST, port: kamailio!.port, number: NUMBER, rate: 4, calls: 0, workDir: work, name: "steady", timeoutSec: 300 });
    // And PostgreSQL goes away for OUTAGE_MS.
    await pg!.stop();
    outageFrom = Date.now();
    // Kamailio's OPTIONS probe (or a call that timed out) takes the dead runtime out of the set.
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
    // Two long calls straight to it from Kamailio's address, in progress when the drain begins.
    const long = await startCallers({ local: KAMAILIO_HOST, port: drained.sipPort, number: LONG_NUMBER, rate: 10, calls: 2, workDir: work, name: "long" });
    const longStarts = () => readCallLog(drained.logFile).filter((e) => isStart(e) && e.to === LONG_NUMBER).length;
    await waitFor("two long calls on rt2", () => longStarts() === 2, 10_000, 20);
    drainAt = Date.now();
    drained.child.kill("SIGUSR2");
    expect(await waitFor("503 to OPTIONS", async () => (await sipOptions(drained.sipPort)) === 503, 2000, 20)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${drained.metricsPort}/health`)).status).toBe(503);
    const uri = `sip:127.0.0.1:${drained.sipPort}`;
    await waitFor("Kamailio to mark rt2 inactive", () => kamailio!.destinations()[uri]?.startsWith("I"), 5000, 100);
    const longCalls = await long.done;
    expect(longCalls.failed, longCalls.errors).toBe(0);
    expect(longCalls.successful).toBe(2);
    expect(await drained.exited, explain()).toBe(0);
    const log = readCallLog(drained.logFile);
    const ends = new Map(log.filter(isEnd).map((e) => [e.callId, e.cause]));
    // Every call it took ended normally (none cut by the drain), and none started after the drain.
    for (const s of log.filter(isStart)) expect(ends.get(s.callId), `call ${s.callId} on rt2`).toBe("NORMAL_CLEARING");
    expect(log.filter((e) => isStart(e) && Date.parse(String(e.ts)) > drainAt + 500)).toEqual([]);
    // The database is away: what it could not write waits in its spool for its next start.
    expect(drained.output()).toMatch(/call log entries kept in .*spool.* for the next start/);
  }, 60_000);

  it(`with PostgreSQL stopped for ${OUTAGE_MS / 1000} s under load, calls go on and every call event arrives once when it is back`, async () => {
    const survivor = runtimes[2];
    const endsAt = () => readCallLog(survivor.logFile).filter(isEnd).length;
    const endsBefore = endsAt();
    await sleep(OUTAGE_MS - (Date.now() - outageFrom));
    // Calls were answered all along, with the routes the runtimes had.
    expect(endsAt() - endsBefore).toBeGreaterThan(0);
    expect(readCallLog(survivor.logFile).filter((e) => isEnd(e) && Date.parse(String(e.ts)) > outageFrom).length).toBeGreaterThan(OUTAGE_MS / 1000);
    await pg!.start();
    // The drained runtime comes back (a rolling restart) on its address, and writes its spool.
    restartAt = Date.now();
    restarted = await startRuntimeProcess({ ...runtimeOptions("rt2", 1), sipPort: runtimes[1].sipPort });
    const uri = `sip:127.0.0.1:${restarted.sipPort}`;
    await waitFor("Kamailio to take rt2 back", () => kamailio!.destinations()[uri]?.startsWith("A"), 10_000, 100);
    await waitFor("new calls on the restarted rt2", () => readCallLog(restarted!.logFile).some((e) => isStart(e) && Date.parse(String(e.ts)) > restartAt), 15_000, 100);
    const r = await steady!.finish();
    expect(r.failed, `${r.errors}\n${explain()}`).toBe(0);
    expect(r.successful).toBeGreaterThan(OUTAGE_MS / 1000);
    // The outage filled the survivor's memory queue (40 entries): the rest waited on disk.
    expect(survivor.output()).toMatch(/keeping the next ones in .*spool/);
    // Between its drain and its restart, rt2 took no call.
    expect(readCallLog(restarted.logFile).filter((e) => isStart(e) && Date.parse(String(e.ts)) > drainAt + 500 && Date.parse(String(e.ts)) < restartAt)).toEqual([]);

    // Every event of every call the two of them logged (rt2 across its restart), once.
    await expectLogInDatabase("rt3", survivor.logFile);
    await expectLogInDatabase("rt2", restarted.logFile);
    for (const id of ["rt2", "rt3"]) {
      const spool = path.join(work, id, "cache", "spool", id);
      expect(existsSync(spool) ? readdirSync(spool) : [], `${id}'s spool`).toEqual([]);
    }
    const nodes = await query<{ id: string; state: string }>(pg!.url, `SELECT id, state FROM "RuntimeNode" ORDER BY id`);
    expect(nodes.map((n) => n.id)).toEqual(["rt1", "rt2", "rt3"]);
    expect(nodes.find((n) => n.id === "rt2")?.state).toBe("up");
  }, 90_000);

  it("Kamailio's flood limits: ratelimit answers 503 past the new-call rate, pike then ignores the source", async () => {
    // A second Kamailio with low limits: 2 new calls a second in all, 10 requests per 2 s per source.
    const strict = await startKamailio({
      workDir: path.join(work, "strict"), runtimes: [runtimes[2]], host: KAMAILIO_HOST,
      defines: { PIKE_DENSITY: "10", RL_PIPE: JSON.stringify("0:TAILDROP:2") },
    });
    try {
      const statuses: Array<number | undefined> = [];
      // Calls to a number with no route: the runtime answers 404 to those Kamailio lets through.
      for (let i = 0; i < 16; i++) statuses.push(await sipInvite(strict.port, "9999", 400, KAMAILIO_HOST));
      expect(statuses[0]).toBe(404);
      expect(statuses).toContain(503);
      expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(4);
      expect(statuses.at(-1)).toBeUndefined();
      expect(strict.output()).toMatch(/pike: 127\.0\.0\.1 sends too many requests/);
    } finally {
      await strict.stop();
    }
  });
});
