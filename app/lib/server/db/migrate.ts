// Our own `prisma migrate deploy`: applies prisma/migrations/<name>/migration.sql folders in
// name order, each in its own transaction, recording them in _prisma_migrations exactly as the
// Prisma CLI does (same table, sha256 checksum), so the CLI and this runner can take turns.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { SqlRunner } from "./sql";

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/** Prisma's advisory lock id, so this runner and the CLI never migrate at the same time. */
const MIGRATION_LOCK_ID = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export const checksumOf = (sql: string): string => createHash("sha256").update(sql, "utf8").digest("hex");

export function readMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) throw new Error(`Migrations folder not found: ${dir}`);
  return readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory() && existsSync(path.join(dir, d, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksumOf(sql) };
    });
}

export async function applyMigrations(db: SqlRunner, migrations: MigrationFile[]): Promise<MigrateResult> {
  return db.withConnection(async (conn) => {
    await conn.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    try {
      await conn.exec(CREATE_TABLE);
      const rows = await conn.query<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
      );
      const done = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
      const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null).map((r) => r.migration_name);
      if (failed.length) {
        throw new Error(
          `Migration ${failed.join(", ")} failed earlier and is marked unfinished in _prisma_migrations; fix the database, then delete or mark that row rolled back.`,
        );
      }
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const m of migrations) {
        const recorded = done.get(m.name);
        if (recorded !== undefined) {
          // Prisma warns (does not fail) on edited migrations; so do we, loudly.
          if (recorded !== m.checksum) console.warn(`[migrate] ${m.name} was edited after it was applied (checksum differs)`);
          result.alreadyApplied.push(m.name);
          continue;
        }
        await conn.transaction(async (tx) => {
          const id = randomUUID();
          await tx.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
            [id, m.checksum, m.name],
          );
          await tx.exec(m.sql);
          await tx.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        });
        result.applied.push(m.name);
      }
      return result;
    } finally {
      await conn.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
    }
  });
}
