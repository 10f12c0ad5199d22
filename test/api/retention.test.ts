// Retention of calls (with their events) and recordings, on a pinned clock: what is older than
// the setting goes, what is younger stays, symbolic links are never followed; the job applies it
// at start; GET /api/calls/retention for viewers, PUT for admins only (checked, audited).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as retentionRoute from "../../app/api/calls/retention/route";
import { applyRetention, setRetention, startRetentionJob } from "../../app/lib/server/runtime/retention";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const NOW = new Date("2026-11-30T12:00:00Z");
const DAY = 24 * 3600 * 1000;
let db: Database;
let admin: Caller;
let viewer: Caller;
const work = mkdtempSync(path.join(os.tmpdir(), "ivr-retention-"));
const recordings = path.join(work, "recordings");
const outside = path.join(work, "outside.wav");

async function seedCall(callId: string, ageDays: number) {
  const startedAt = new Date(NOW.getTime() - ageDays * DAY);
  await db.prisma.call.create({ data: { callId, from: "1", to: "2", startedAt, endedAt: startedAt } });
  await db.prisma.callEvent.createMany({ data: [1, 2, 3].map((seq) => ({ callId, seq, ts: startedAt, method: "answer", args: [] })) });
}

/** A recording file last written `ageDays` before NOW. */
function recording(rel: string, ageDays: number): string {
  const file = path.join(recordings, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, "RIFF");
  const t = new Date(NOW.getTime() - ageDays * DAY);
  utimesSync(file, t, t);
  return file;
}

beforeAll(async () => {
  db = await startTestDatabase();
  admin = await makeUser(db, "admin");
  viewer = await makeUser(db, "viewer");
}, 60_000);

afterAll(async () => {
  await stopTestDatabase();
  rmSync(work, { recursive: true, force: true });
});

const remainingCalls = async () => (await db.prisma.call.findMany({ orderBy: { callId: "asc" }, select: { callId: true } })).map((c) => c.callId);

describe("retention", () => {
  it("deletes calls and their events older than callDays, recordings older than recordingDays; keeps the rest", async () => {
    await seedCall("age-40", 40);
    await seedCall("age-31", 31);
    await seedCall("age-29", 29);
    await seedCall("age-1", 1);
    const old = recording("flow-a/old.wav", 8);
    const young = recording("flow-a/young.wav", 6);
    const nested = recording("x/y/older.wav", 30);
    writeFileSync(outside, "RIFF");
    const t = new Date(NOW.getTime() - 100 * DAY);
    utimesSync(outside, t, t);
    symlinkSync(outside, path.join(recordings, "link.wav"));

    const r = await applyRetention(db.prisma, { now: NOW, recordingsDir: recordings, retention: { callDays: 30, recordingDays: 7 } });
    expect(r).toEqual({ callsDeleted: 2, recordingsDeleted: 2 });
    expect(await remainingCalls()).toEqual(["age-1", "age-29"]);
    expect(await db.prisma.callEvent.count({ where: { callId: { in: ["age-40", "age-31"] } } })).toBe(0);
    expect(await db.prisma.callEvent.count({ where: { callId: "age-29" } })).toBe(3);
    expect([existsSync(old), existsSync(young), existsSync(nested), existsSync(outside), existsSync(path.join(recordings, "link.wav"))]).toEqual([false, true, false, true, true]);
  });

  it("keeps everything when a setting is null (the default)", async () => {
    expect(await applyRetention(db.prisma, { now: new Date(NOW.getTime() + 3650 * DAY), recordingsDir: recordings })).toEqual({ callsDeleted: 0, recordingsDeleted: 0 });
    expect(await remainingCalls()).toEqual(["age-1", "age-29"]);
  });

  it("the job applies the saved setting at start, on its own clock", async () => {
    await setRetention(db.prisma, { callDays: 10, recordingDays: null });
    const lines: string[] = [];
    const job = startRetentionJob({ prisma: db.prisma, recordingsDir: recordings, log: (l) => lines.push(l), now: () => NOW, everyMs: 3600_000 });
    const first = await job.runNow();
    job.stop();
    expect(first).toEqual({ callsDeleted: 1, recordingsDeleted: 0 });
    expect(await remainingCalls()).toEqual(["age-1"]);
    expect(lines).toEqual(["[retention] deleted 1 call(s) with their events and 0 recording(s)"]);
  });

  it("GET for viewers; PUT for admins only, checked and audited", async () => {
    const got = await call(retentionRoute.GET, "GET", "/api/calls/retention", { as: viewer });
    expect(got.body).toEqual({ retention: { callDays: 10, recordingDays: null } });
    expect((await call(retentionRoute.GET, "GET", "/api/calls/retention", {})).status).toBe(401);
    const body = { callDays: 36_500, recordingDays: 36_500 };
    expect((await call(retentionRoute.PUT, "PUT", "/api/calls/retention", { as: viewer, body })).status).toBe(403);
    expect((await call(retentionRoute.PUT, "PUT", "/api/calls/retention", { as: await makeUser(db, "editor"), body })).status).toBe(403);
    for (const bad of [{ callDays: 0 }, { callDays: 1.5 }, { recordingDays: "7" }, { callDays: 36_501 }, { days: 3 }]) {
      const r = await call(retentionRoute.PUT, "PUT", "/api/calls/retention", { as: admin, body: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    const put = await call(retentionRoute.PUT, "PUT", "/api/calls/retention", { as: admin, body });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.retention).toEqual(body);
    expect((await call(retentionRoute.GET, "GET", "/api/calls/retention", { as: viewer })).body.retention).toEqual(body);
    const audit = await db.prisma.auditLog.findFirst({ where: { action: "settings.update", target: "retention" } });
    expect(audit?.details).toEqual({ before: { callDays: 10, recordingDays: null }, after: body });
  });
});
