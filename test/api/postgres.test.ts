// The same migrations, client and routes on a real PostgreSQL server (DATABASE_URL setups).
// Skips with a message when no server answers (IVR_TEST_DATABASE_URL or 127.0.0.1:5432).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { Database } from "../../app/lib/server/db/client";
import { applyMigrations, readMigrations } from "../../app/lib/server/db/migrate";
import { pgPoolRunner } from "../../app/lib/server/db/sql";
import * as flows from "../../app/api/flows/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as routes from "../../app/api/routes/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as rollback from "../../app/api/flows/[id]/versions/[n]/rollback/route";
import { call, makeUser, repoRoot, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";
import { createScratchDatabase, probePostgres } from "./pg-available";
import path from "node:path";

const probe = await probePostgres();
if (!probe.url) console.warn(`[test/api/postgres] skipped: ${probe.reason}`);

describe.skipIf(!probe.url)("on a real PostgreSQL", () => {
  let scratch: { url: string; drop: () => Promise<void> };
  let db: Database;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    scratch = await createScratchDatabase(probe.url!);
    db = await startTestDatabase(scratch.url);
    alice = await makeUser(db, "editor", "Alice");
    bob = await makeUser(db, "editor", "Bob");
  });
  afterAll(async () => {
    await stopTestDatabase();
    await scratch?.drop();
  });

  it("applied the migrations on the empty database, and a second run applies nothing", async () => {
    expect(db.kind).toBe("postgres");
    const list = readMigrations(path.join(repoRoot, "prisma", "migrations"));
    expect(db.migrations.applied).toEqual(list.map((m) => m.name));
    const pool = new pg.Pool({ connectionString: scratch.url });
    try {
      const again = await applyMigrations(pgPoolRunner(pool), list);
      expect(again.applied).toEqual([]);
      const { rows } = await pool.query(`SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY 1`);
      expect(rows).toEqual(list.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    } finally {
      await pool.end();
    }
  });

  it("lets exactly one of several truly concurrent saves win", async () => {
    const created = await call(flows.POST, "POST", "/api/flows", { as: alice, body: { name: "Race on PG" } });
    expect(created.status).toBe(201);
    const flow = created.body.flow;
    const save = (who: Caller, label: string) =>
      call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, {
        as: who,
        params: { id: flow.id },
        body: { graph: { ...flow.graph, nodes: [{ ...flow.graph.nodes[0], label }] }, baseRevision: 1 },
      });
    const results = await Promise.all(["A", "B", "C", "D"].map((l, i) => save(i % 2 ? bob : alice, l)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const now = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id } });
    expect(now.body.flow.revision).toBe(2);
  });

  it("keeps route patterns unique and JSON graphs intact", async () => {
    const created = await call(flows.POST, "POST", "/api/flows", { as: alice, body: { name: "Menu on PG", template: "main-menu" } });
    const flow = created.body.flow;
    const got = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: bob, params: { id: flow.id } });
    expect(got.body.flow.graph).toEqual(flow.graph);
    const post = () => call(routes.POST, "POST", "/api/routes", { as: alice, body: { pattern: "8000", flowId: flow.id } });
    const [a, b] = await Promise.all([post(), post()]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
  });

  it("publishes immutable versions and rolls back", async () => {
    const flow = (await call(flows.POST, "POST", "/api/flows", { as: alice, body: { name: "Publish on PG", template: "pin-entry" } })).body.flow;
    const pub = () => call(publish.POST, "POST", `/api/flows/${flow.id}/publish`, { as: alice, params: { id: flow.id }, body: { publishAnyway: true } });
    const [a, b] = await Promise.all([pub(), pub()]);
    expect([a.body.version.number, b.body.version.number].sort()).toEqual([1, 2]);
    await expect(db.prisma.flowVersion.updateMany({ where: { flowId: flow.id }, data: { lua: "" } })).rejects.toThrow(/cannot be changed/);
    const rb = await call(rollback.POST, "POST", `/api/flows/${flow.id}/versions/1/rollback`, { as: bob, params: { id: flow.id, n: "1" }, body: { note: "back" } });
    expect(rb.status).toBe(201);
    expect(rb.body.version).toMatchObject({ number: 3, note: "back", author: "Bob" });
  });
});
