// GET /api/calls filters (time range, caller, called, flow, version, cause) and the path
// length / last node of each call, over a call log written straight into the database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as calls from "../../app/api/calls/route";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const T0 = Date.parse("2026-11-01T10:00:00Z");
const HOUR = 3_600_000;
let db: Database;
let viewer: Caller;
let flowId = "";

beforeAll(async () => {
  db = await startTestDatabase();
  viewer = await makeUser(db, "viewer");
  const admin = await makeUser(db, "admin");
  flowId = (await db.prisma.flow.create({ data: { name: "F", graph: {}, createdById: admin.user.id, updatedById: admin.user.id } })).id;
  // Call i: from 10i, to 5000 / 6000 (odd), version 1 then 2, BUSY every third, i+1 nodes (the last one re-entered).
  for (let i = 0; i < 6; i++) {
    const callId = `c${i}`;
    await db.prisma.call.create({
      data: { callId, from: `10${i}`, to: i % 2 ? "6000" : "5000", flowId: i === 5 ? null : flowId, version: i < 3 ? 1 : 2, startedAt: new Date(T0 + i * HOUR), cause: i % 3 ? "NORMAL_CLEARING" : "USER_BUSY" },
    });
    const nodes = [...Array.from({ length: i + 1 }, (_, k) => `n${k}`), `n${i}`];
    await db.prisma.callEvent.createMany({ data: nodes.map((node, seq) => ({ callId, seq, node, method: "setVariable", args: ["ivr_node", node] })) });
  }
}, 30_000);

afterAll(() => stopTestDatabase());

const list = async (query: string) => {
  const r = await call(calls.GET, "GET", "/api/calls", { as: viewer, query });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.calls as Array<{ callId: string; pathLength: number; lastNode: string | null }>).map((c) => c.callId);
};

describe("GET /api/calls", () => {
  it("newest first, with each call's path length and last node", async () => {
    const r = await call(calls.GET, "GET", "/api/calls", { as: viewer });
    expect(r.body.calls.map((c: { callId: string; pathLength: number; lastNode: string }) => [c.callId, c.pathLength, c.lastNode])).toEqual([
      ["c5", 6, "n5"], ["c4", 5, "n4"], ["c3", 4, "n3"], ["c2", 3, "n2"], ["c1", 2, "n1"], ["c0", 1, "n0"],
    ]);
  });

  it.each([
    ["caller=102", ["c2"]],
    ["called=6000", ["c5", "c3", "c1"]],
    ["cause=USER_BUSY", ["c3", "c0"]],
    ["version=2&called=5000", ["c4"]],
    [`flowId=FLOW&version=2`, ["c4", "c3"]],
    ["since=2026-11-01T11:00:00Z&until=2026-11-01T13:00:00Z", ["c2", "c1"]],
    ["number=600", ["c5", "c3", "c1"]],
  ])("%s", async (query, expected) => {
    expect(await list(query.replace("FLOW", flowId))).toEqual(expected);
  });

  it.each([["version=two"], ["cause=busy!"], ["since=yesterday"], ["caller=" + "1".repeat(101)]])("refuses %s with 400", async (query) => {
    const r = await call(calls.GET, "GET", "/api/calls", { as: viewer, query });
    expect(r.status).toBe(400);
  });
});
