// GET /api/calls/analytics: one flow version over a time range, from a call log written straight
// into the database as the runtime writes it (a node entry is setVariable("ivr_node", id), logged
// with the node it leaves). Three calls of version 1 in range (one loops back to the main menu,
// one caller hangs up in it), one of version 2 and one before the range, which must not count.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as analytics from "../../app/api/calls/analytics/route";
import { call, makeUser, repoRoot, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const T0 = Date.parse("2026-11-10T09:00:00Z");
const SINCE = "2026-11-10T00:00:00Z";
const UNTIL = "2026-11-11T00:00:00Z";
let db: Database;
let viewer: Caller;
let flowId = "";

/** A call through `path` (node, menu choice or undefined), one node a second; it ends `lastMs` after its last entry. */
async function seedCall(callId: string, version: number, startMs: number, path: Array<[string, string?]>, lastMs: number, cause: string, hangupBy: string) {
  const events: Array<Record<string, unknown>> = [];
  let prev: string | null = null;
  path.forEach(([node, choice], i) => {
    const ts = new Date(startMs + i * 1000);
    events.push({ callId, seq: events.length + 1, ts, node: prev, method: "setVariable", args: ["ivr_node", node] });
    if (choice !== undefined) events.push({ callId, seq: events.length + 1, ts: new Date(startMs + i * 1000 + 500), node, method: "playAndGetDigits", args: [1, 1, 3], result: choice });
    prev = node;
  });
  const endedAt = new Date(startMs + (path.length - 1) * 1000 + lastMs);
  await db.prisma.call.create({ data: { callId, from: "1555", to: "5000", flowId, version, startedAt: new Date(startMs), endedAt, cause, hangupBy } });
  await db.prisma.callEvent.createMany({ data: events as never });
}

const HEAD: Array<[string, string?]> = [["start"], ["answer"], ["welcome"]];

beforeAll(async () => {
  db = await startTestDatabase();
  viewer = await makeUser(db, "viewer");
  const admin = await makeUser(db, "admin");
  const graph = JSON.parse(readFileSync(path.join(repoRoot, "examples/main-menu.json"), "utf8"));
  flowId = (await db.prisma.flow.create({ data: { name: "Main menu", graph, createdById: admin.user.id, updatedById: admin.user.id } })).id;
  for (const number of [1, 2]) await db.prisma.flowVersion.create({ data: { flowId, number, graph, lua: "", ts: "", authorId: admin.user.id } });
  await seedCall("a1", 1, T0, [...HEAD, ["main_menu", "1"], ["sales_menu", "2"], ["to_existing_orders"]], 500, "NORMAL_CLEARING", "flow");
  await seedCall("a2", 1, T0 + 60_000, [...HEAD, ["main_menu", ""]], 6000, "ORIGINATOR_CANCEL", "caller");
  await seedCall("a3", 1, T0 + 120_000, [...HEAD, ["main_menu", "1"], ["sales_menu", "9"], ["main_menu", "2"], ["support_menu", "1"], ["to_technical"]], 500, "NORMAL_CLEARING", "flow");
  await seedCall("b1", 2, T0 + 180_000, [...HEAD, ["main_menu", "0"], ["operator"]], 500, "NORMAL_CLEARING", "flow");
  await seedCall("old", 1, T0 - 2 * 86_400_000, [...HEAD, ["main_menu", "2"], ["support_menu", "2"]], 500, "NORMAL_CLEARING", "caller");
}, 60_000);

afterAll(() => stopTestDatabase());

const get = (query: string, as: Caller | null = viewer) => call(analytics.GET, "GET", "/api/calls/analytics", { as: as ?? undefined, query });

describe("GET /api/calls/analytics", () => {
  it("counts calls, completion, hangup causes, node visits, drop-off, time per node, edges and menu choices of one version in a range", async () => {
    const r = await get(`flowId=${flowId}&version=1&since=${SINCE}&until=${UNTIL}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const a = r.body.analytics;
    expect(a).toMatchObject({ flowId, version: 1, since: "2026-11-10T00:00:00.000Z", until: "2026-11-11T00:00:00.000Z", calls: 3, ended: 3, completed: 2 });
    expect(a.completionRate).toBeCloseTo(2 / 3, 5);
    // a1: 5.5 s, a2: 9 s, a3: 7.5 s.
    expect(a.avgDurationMs).toBe(7333);
    expect(a.hangupCauses).toEqual([{ cause: "NORMAL_CLEARING", calls: 2 }, { cause: "ORIGINATOR_CANCEL", calls: 1 }]);
    expect(a.hangupBy).toEqual([{ by: "flow", calls: 2 }, { by: "caller", calls: 1 }]);
    expect(a.nodes).toEqual([
      // The main menu: entered 4 times (a3 came back), left after 1 s except by a2's caller, who stayed 6 s and hung up.
      { node: "main_menu", visits: 4, dropOff: 1, avgMs: 2250 },
      { node: "answer", visits: 3, dropOff: 0, avgMs: 1000 },
      { node: "start", visits: 3, dropOff: 0, avgMs: 1000 },
      { node: "welcome", visits: 3, dropOff: 0, avgMs: 1000 },
      { node: "sales_menu", visits: 2, dropOff: 0, avgMs: 1000 },
      { node: "support_menu", visits: 1, dropOff: 0, avgMs: 1000 },
      { node: "to_existing_orders", visits: 1, dropOff: 1, avgMs: 500 },
      { node: "to_technical", visits: 1, dropOff: 1, avgMs: 500 },
    ]);
    expect(a.edges).toEqual([
      { source: "answer", target: "welcome", count: 3 },
      { source: "start", target: "answer", count: 3 },
      { source: "welcome", target: "main_menu", count: 3 },
      { source: "main_menu", target: "sales_menu", count: 2 },
      { source: "main_menu", target: "support_menu", count: 1 },
      { source: "sales_menu", target: "main_menu", count: 1 },
      { source: "sales_menu", target: "to_existing_orders", count: 1 },
      { source: "support_menu", target: "to_technical", count: 1 },
    ]);
    expect(a.menus).toEqual([
      { node: "main_menu", choices: [{ choice: "1", count: 2 }, { choice: "", count: 1 }, { choice: "2", count: 1 }] },
      { node: "sales_menu", choices: [{ choice: "2", count: 1 }, { choice: "9", count: 1 }] },
      { node: "support_menu", choices: [{ choice: "1", count: 1 }] },
    ]);
  });

  it("takes the latest version by default, and the range's ends as given", async () => {
    const latest = (await get(`flowId=${flowId}`)).body.analytics;
    expect([latest.version, latest.calls, latest.edges.find((e: { target: string }) => e.target === "operator")]).toEqual([2, 1, { source: "main_menu", target: "operator", count: 1 }]);
    // Without a range: the old call of version 1 counts too.
    expect((await get(`flowId=${flowId}&version=1`)).body.analytics.calls).toBe(4);
    // until is exclusive: a2 started exactly at T0 + 60 s.
    const early = (await get(`flowId=${flowId}&version=1&since=${SINCE}&until=${new Date(T0 + 60_000).toISOString()}`)).body.analytics;
    expect([early.calls, early.completed]).toEqual([1, 1]);
  });

  it("is for signed-in users; refuses bad parameters; 404 for an unknown flow or version", async () => {
    expect((await get(`flowId=${flowId}`, null)).status).toBe(401);
    for (const q of ["", "flowId=x&version=one", `flowId=${flowId}&since=yesterday`, `flowId=${flowId}&since=${UNTIL}&until=${SINCE}`]) {
      expect((await get(q)).status, q).toBe(400);
    }
    expect((await get("flowId=nope")).status).toBe(404);
    expect((await get(`flowId=${flowId}&version=9`)).status).toBe(404);
  });
});
