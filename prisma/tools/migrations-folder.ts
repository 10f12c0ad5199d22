// Reads prisma/migrations in the layout the Prisma CLI uses, as the schema engine wants it.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm";

export function readMigrationList(baseDir: string): MigrationList {
  const lockPath = path.join(baseDir, "migration_lock.toml");
  const dirs = existsSync(baseDir)
    ? readdirSync(baseDir)
        .filter((d) => statSync(path.join(baseDir, d)).isDirectory() && existsSync(path.join(baseDir, d, "migration.sql")))
        .sort()
    : [];
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((d) => ({
      path: d,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: readFileSync(path.join(baseDir, d, "migration.sql"), "utf8") } },
    })),
  };
}
