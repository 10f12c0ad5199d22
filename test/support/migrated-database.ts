// A database with every migration applied, made once per `vitest run` and reused by every test
// file that wants a fresh one: PGlite's initdb and the migrations cost about 2 s a database.
// It lives in the run's scratch folder (test/global-setup.ts), so nothing outlives the run; the
// first file to need it makes it (two files at once may both make it: written by rename, the
// last one wins, both are alike). Without the folder (a run without the global setup) there is
// no image and callers migrate from scratch. test/api/migrations.test.ts still migrates an
// empty database.
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { openDatabase } from "../../app/lib/server/db/client";
import { applyMigrations, readMigrations } from "../../app/lib/server/db/migrate";
import { pgliteRunner } from "../../app/lib/server/db/sql";
import { migrationsDir } from "../../app/lib/server/paths";

const runDir = (): string | undefined => inject("ivrRunDir");

/** The migrated database as a PGlite data-folder image (for memory://), or undefined. */
export async function migratedImage(): Promise<Blob | undefined> {
  const dir = runDir();
  if (!dir) return undefined;
  const file = path.join(dir, "pglite-migrated.tar");
  if (!existsSync(file)) {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = await PGlite.create("memory://");
    try {
      await applyMigrations(pgliteRunner(lite), readMigrations(migrationsDir()));
      const image = Buffer.from(await (await lite.dumpDataDir("none")).arrayBuffer());
      writeFileSync(`${file}.${process.pid}.tmp`, image);
      renameSync(`${file}.${process.pid}.tmp`, file);
    } finally {
      await lite.close();
    }
  }
  return new Blob([readFileSync(file)]);
}

/**
 * Fill `target` (a PGlite data folder that does not exist yet, e.g. <IVR_DATA_DIR>/pglite) with a
 * copy of the migrated database. Without the run's folder it is left absent: whoever opens it
 * migrates it.
 */
export async function copyMigratedDataDir(target: string): Promise<void> {
  const dir = runDir();
  if (!dir) return;
  const template = path.join(dir, "pglite-migrated");
  if (!existsSync(template)) {
    const scratch = mkdtempSync(path.join(dir, "pglite-"));
    const db = await openDatabase({ dataDir: scratch });
    await db.close();
    try {
      renameSync(scratch, template);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another file made it first
    }
  }
  cpSync(template, target, { recursive: true });
}
