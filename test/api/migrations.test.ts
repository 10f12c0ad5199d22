// The migration runner: applies prisma/migrations on an empty database, records them the way
// the Prisma CLI does, is idempotent, and refuses to go on after a failed migration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { applyMigrations, checksumOf, readMigrations } from "../../app/lib/server/db/migrate";
import { openDatabase } from "../../app/lib/server/db/client";
import { pgliteRunner } from "../../app/lib/server/db/sql";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { createSchemaEngine } from "../../prisma/tools/schema-engine";
import { readMigrationList } from "../../prisma/tools/migrations-folder";
import { repoRoot } from "./helpers";

const migrationsDir = path.join(repoRoot, "prisma", "migrations");
let lite: PGlite;
beforeAll(async () => {
  lite = await PGlite.create("memory://");
});
afterAll(() => lite.close());

describe("migrations", () => {
  it("keeps the Prisma CLI's folder layout", () => {
    const list = readMigrations(migrationsDir);
    expect(list.length).toBeGreaterThan(0);
    for (const m of list) expect(m.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect(readFileSync(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toMatch(/provider = "postgresql"/);
  });

  it("applies every migration on an empty database, then is idempotent", async () => {
    const sql = pgliteRunner(lite);
    const list = readMigrations(migrationsDir);
    const first = await applyMigrations(sql, list);
    expect(first.applied).toEqual(list.map((m) => m.name));
    const tables = (await sql.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).map((r) => r.table_name);
    for (const t of ["User", "Session", "ApiToken", "Flow", "FlowVersion", "Route", "Prompt", "Call", "CallEvent", "Setting", "_prisma_migrations"]) {
      expect(tables).toContain(t);
    }
    const rows = await sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(list.map((m) => m.name));
    for (const [i, r] of rows.entries()) {
      expect(r.checksum).toBe(checksumOf(readFileSync(path.join(migrationsDir, list[i].name, "migration.sql"), "utf8")));
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.finished_at).not.toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    const again = await applyMigrations(sql, list);
    expect(again).toEqual({ applied: [], alreadyApplied: list.map((m) => m.name) });
    expect((await sql.query(`SELECT 1 FROM "_prisma_migrations"`)).length).toBe(list.length);
  });

  it("leaves a history that Prisma's own schema engine (what `migrate deploy` runs) accepts as applied and unedited", async () => {
    const schemaPath = path.join(repoRoot, "prisma", "schema.prisma");
    const engine = await createSchemaEngine({ path: schemaPath, content: readFileSync(schemaPath, "utf8") }, new PrismaPGlite(lite));
    const migrationsList = readMigrationList(migrationsDir);
    const filters = { externalTables: [], externalEnums: [] };
    const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters });
    expect(diagnosis).toEqual({ editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null });
    expect(await engine.applyMigrations({ migrationsList, filters })).toEqual({ appliedMigrationNames: [] });
  });

  it("rolls back a failing migration entirely; once fixed it applies", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ivr-migrations-"));
    const write = (name: string, sql: string) => {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, "migration.sql"), sql);
    };
    write("20000101000000_ok", `CREATE TABLE "a" ("id" INT PRIMARY KEY);`);
    write("20000102000000_bad", `CREATE TABLE "b" ("id" INT PRIMARY KEY);\nINSERT INTO "nope" VALUES (1);`);
    // Same database as above (its own table names): saves opening another PGlite.
    const sql = pgliteRunner(lite);
    await expect(applyMigrations(sql, readMigrations(dir))).rejects.toThrow(/nope/);
    const tables = (await sql.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).map((r) => r.table_name);
    expect(tables).toContain("a");
    expect(tables).not.toContain("b"); // the failed migration's transaction left nothing behind
    const recorded = await sql.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" WHERE migration_name LIKE '2000%'`);
    expect(recorded.map((r) => r.migration_name)).toEqual(["20000101000000_ok"]);
    // Fixed migration: applies now.
    writeFileSync(path.join(dir, "20000102000000_bad", "migration.sql"), `CREATE TABLE "b" ("id" INT PRIMARY KEY);`);
    expect((await applyMigrations(sql, readMigrations(dir))).applied).toEqual(["20000102000000_bad"]);
  });

  it("opens a PGlite data folder, migrates it once, and reopens it without re-applying", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ivr-data-"));
    const first = await openDatabase({ dataDir });
    expect(first.migrations.applied.length).toBeGreaterThan(0);
    await first.prisma.setting.create({ data: { key: "kept", value: { a: 1 } } });
    await first.close();
    const second = await openDatabase({ dataDir });
    expect(second.migrations.applied).toEqual([]);
    expect((await second.prisma.setting.findUnique({ where: { key: "kept" } }))?.value).toEqual({ a: 1 });
    await second.close();
  });
});
