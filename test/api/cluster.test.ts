// The Cluster view's API over the heartbeat table: GET /api/cluster (viewer) lists the runtimes
// with their state (a stale heartbeat is down), POST /api/cluster/{id}/drain (admin) sets the
// flag, and a runtime's heartbeat (Heartbeat) picks the flag up and drains. Heartbeat times are
// far in the future (fresh) or the past (stale), so nothing here depends on the real clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as cluster from "../../app/api/cluster/route";
import * as drain from "../../app/api/cluster/[id]/drain/route";
import { Heartbeat } from "../../app/lib/server/runtime/heartbeat";
import { listRuntimes } from "../../app/lib/server/runtime/cluster";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const FRESH = new Date("2999-01-01T00:00:00Z");
const STALE = new Date("2001-01-01T00:00:00Z");
let db: Database;
let viewer: Caller;
let admin: Caller;

beforeAll(async () => {
  db = await startTestDatabase();
  viewer = await makeUser(db, "viewer");
  admin = await makeUser(db, "admin");
  await db.prisma.runtimeNode.createMany({
    data: [
      { id: "rt-up", address: "10.0.0.11:5080", version: "1.2.0", activeCalls: 7, state: "up", startedAt: STALE, lastHeartbeat: FRESH },
      { id: "rt-draining", address: "10.0.0.12:5080", version: "1.2.0", activeCalls: 2, state: "draining", startedAt: STALE, lastHeartbeat: FRESH },
      { id: "rt-killed", address: "10.0.0.13:5080", version: "1.1.0", activeCalls: 5, state: "up", startedAt: STALE, lastHeartbeat: STALE },
      { id: "rt-exited", address: "10.0.0.14:5080", version: "1.1.0", activeCalls: 0, state: "down", startedAt: STALE, lastHeartbeat: FRESH },
    ],
  });
}, 30_000);

afterAll(() => stopTestDatabase());

describe("GET /api/cluster", () => {
  it("lists each runtime's address, version, calls and state; a silent one is down", async () => {
    const r = await call(cluster.GET, "GET", "/api/cluster", { as: viewer });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const rows = (r.body.runtimes as Array<Record<string, unknown>>).map(({ id, address, version, activeCalls, state }) => ({ id, address, version, activeCalls, state }));
    expect(rows).toEqual([
      { id: "rt-draining", address: "10.0.0.12:5080", version: "1.2.0", activeCalls: 2, state: "draining" },
      { id: "rt-exited", address: "10.0.0.14:5080", version: "1.1.0", activeCalls: 0, state: "down" },
      { id: "rt-killed", address: "10.0.0.13:5080", version: "1.1.0", activeCalls: 0, state: "down" },
      { id: "rt-up", address: "10.0.0.11:5080", version: "1.2.0", activeCalls: 7, state: "up" },
    ]);
    expect(r.body.staleAfterSeconds).toBe(10);
  });

  it("needs a signed-in user", async () => {
    expect((await call(cluster.GET, "GET", "/api/cluster")).status).toBe(401);
  });
});

describe("POST /api/cluster/{id}/drain", () => {
  it("is for admins only", async () => {
    const r = await call(drain.POST, "POST", "/api/cluster/rt-up/drain", { as: viewer, params: { id: "rt-up" } });
    expect(r.status).toBe(403);
    expect((await db.prisma.runtimeNode.findUniqueOrThrow({ where: { id: "rt-up" } })).drainRequested).toBe(false);
  });

  it("flags the runtime for its next heartbeat; a down one is a 409, an unknown one a 404", async () => {
    const r = await call(drain.POST, "POST", "/api/cluster/rt-up/drain", { as: admin, params: { id: "rt-up" } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.runtime).toMatchObject({ id: "rt-up", state: "up", drainRequested: true });
    expect((await db.prisma.runtimeNode.findUniqueOrThrow({ where: { id: "rt-up" } })).drainRequested).toBe(true);
    const audit = await db.prisma.auditLog.findFirst({ where: { action: "runtime.drain" } });
    expect(audit).toMatchObject({ targetId: "rt-up", actorId: admin.user.id });

    const down = await call(drain.POST, "POST", "/api/cluster/rt-killed/drain", { as: admin, params: { id: "rt-killed" } });
    expect(down.status).toBe(409);
    expect(down.body.message).toMatch(/rt-killed is down/);
    expect((await call(drain.POST, "POST", "/api/cluster/nope/drain", { as: admin, params: { id: "nope" } })).status).toBe(404);
  });
});

describe("a runtime's heartbeat", () => {
  it("writes its row, takes it back fresh when it starts again, and drains when an admin asked", async () => {
    let drains = 0;
    let state: "up" | "draining" = "up";
    const beat = () =>
      new Heartbeat({
        prisma: db.prisma,
        id: "rt-new",
        address: "127.0.0.1:5090",
        version: "9.9.9",
        everyMs: 60_000,
        report: async () => ({ activeCalls: 3, state }),
        onDrainRequested: () => drains++,
        log: () => undefined,
      });
    const first = beat();
    await first.beat();
    expect(await db.prisma.runtimeNode.findUniqueOrThrow({ where: { id: "rt-new" } })).toMatchObject({ address: "127.0.0.1:5090", version: "9.9.9", activeCalls: 3, state: "up", drainRequested: false });
    await db.prisma.runtimeNode.update({ where: { id: "rt-new" }, data: { drainRequested: true } });
    await first.beat();
    expect(drains).toBe(1);
    state = "draining";
    await first.beat();
    expect(drains).toBe(1);
    await first.stop("down");
    const now = new Date("2026-12-07T12:00:00Z");
    const row = (await listRuntimes(db.prisma, now)).runtimes.find((r) => r.id === "rt-new");
    expect(row?.state).toBe("down");
    // Started again: the drain asked of the one before is done.
    state = "up";
    const second = beat();
    await second.beat();
    expect((await db.prisma.runtimeNode.findUniqueOrThrow({ where: { id: "rt-new" } })).drainRequested).toBe(false);
    expect(drains).toBe(1);
    await second.stop();
  });
});
