// The process-wide database: PGlite in a data folder by default, PostgreSQL when DATABASE_URL
// is set. Opened lazily (never at import, so `next build` never touches it), migrated on open,
// and kept on globalThis so every bundle in the process (custom server, each route chunk)
// shares the single owner of the PGlite folder.
import { mkdirSync } from "node:fs";
import { PrismaClient } from "../../../../prisma/generated/client/client";
import { dataDir, migrationsDir } from "../paths";
import { applyMigrations, readMigrations, type MigrateResult } from "./migrate";
import { pgliteRunner, pgPoolRunner, type SqlRunner } from "./sql";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** Where the data lives (folder, memory:// or the URL without password). */
  location: string;
  sql: SqlRunner;
  migrations: MigrateResult;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL connection string; default process.env.DATABASE_URL. */
  url?: string;
  /** PGlite folder or memory://; default from IVR_DATA_DIR. */
  dataDir?: string;
  migrationsDir?: string;
  /**
   * PGlite only: start from this data-folder image (PGlite's dumpDataDir) instead of an empty
   * cluster. The tests load one migrated image per file rather than running initdb each time;
   * the migrations still run (finding them applied).
   */
  image?: Blob;
}

const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const url = options.url ?? process.env.DATABASE_URL;
  const migrations = readMigrations(options.migrationsDir ?? migrationsDir());
  if (url) {
    const { default: pg } = await import("pg");
    const { PrismaPg } = await import("@prisma/adapter-pg");
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // A server restart or an admin's pg_terminate_backend kills idle connections: the pool
    // replaces them on the next query; without a listener the error would end the process.
    pool.on("error", (err) => console.error(`[db] PostgreSQL connection lost: ${err.message}`));
    const sql = pgPoolRunner(pool);
    const applied = await applyMigrations(sql, migrations);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      prisma,
      kind: "postgres",
      location: redact(url),
      sql,
      migrations: applied,
      async close() {
        await prisma.$disconnect();
        await pool.end().catch(() => {});
      },
    };
  }
  const dir = options.dataDir ?? dataDir();
  if (!dir.startsWith("memory://")) mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const { PrismaPGlite } = await import("pglite-prisma-adapter");
  const lite = options.image ? await PGlite.create({ dataDir: dir, loadDataDir: options.image }) : await PGlite.create(dir);
  const sql = pgliteRunner(lite);
  const applied = await applyMigrations(sql, migrations);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    prisma,
    kind: "pglite",
    location: dir,
    sql,
    migrations: applied,
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}

const KEY = Symbol.for("ivr-studio.database");
type Holder = { [KEY]?: Promise<Database> };

/** The shared database of this process, opened (and migrated) on first use. */
export function getDatabase(): Promise<Database> {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    // `next build` must never open (and so lock) the data folder.
    if (process.env.NEXT_PHASE === "phase-production-build") {
      return Promise.reject(new Error("The database is not available during next build"));
    }
    g[KEY] = openDatabase();
    // A failed open must not stick: the next request tries again.
    g[KEY].catch(() => {
      delete g[KEY];
    });
  }
  return g[KEY];
}

export async function getPrisma(): Promise<PrismaClient> {
  return (await getDatabase()).prisma;
}

/** Install an already-open database as the process one (tests, the custom server). */
export function setDatabase(db: Database): void {
  (globalThis as Holder)[KEY] = Promise.resolve(db);
}

export async function closeDatabase(): Promise<void> {
  const g = globalThis as Holder;
  const p = g[KEY];
  delete g[KEY];
  if (p) await (await p).close();
}
