// The few raw-SQL operations the migration runner needs, over PGlite or node-postgres,
// so migrations run before (and without) the Prisma client.
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

export interface SqlRunner {
  /** Run a query with $1.. parameters; returns rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Run a multi-statement script (no parameters). */
  exec(script: string): Promise<void>;
  /** Run fn on one connection inside BEGIN/COMMIT (ROLLBACK on throw). */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Run fn on one connection held for its duration (session-level locks). */
  withConnection<T>(fn: (conn: SqlRunner) => Promise<T>): Promise<T>;
}

export function pgliteRunner(db: PGlite): SqlRunner {
  const runner: SqlRunner = {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await db.query(sql, params)).rows as T[];
    },
    async exec(script) {
      await db.exec(script);
    },
    transaction(fn) {
      return db.transaction(async (tx) =>
        fn({
          async query<T>(sql: string, params: unknown[] = []) {
            return (await tx.query(sql, params)).rows as T[];
          },
          async exec(script) {
            await tx.exec(script);
          },
          transaction: () => Promise.reject(new Error("nested transactions are not supported")),
          withConnection: () => Promise.reject(new Error("already inside a transaction")),
        }),
      );
    },
    // PGlite has a single connection.
    withConnection: (fn) => fn(runner),
  };
  return runner;
}

function clientRunner(client: pg.PoolClient): SqlRunner {
  const self: SqlRunner = {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as T[];
    },
    async exec(script) {
      await client.query(script); // no parameters: simple protocol, several statements allowed
    },
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        const r = await fn(self);
        await client.query("COMMIT");
        return r;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      }
    },
    withConnection: (fn) => fn(self),
  };
  return self;
}

export function pgPoolRunner(pool: pg.Pool): SqlRunner {
  const onConnection = async <T>(fn: (r: SqlRunner) => Promise<T>) => {
    const client = await pool.connect();
    try {
      return await fn(clientRunner(client));
    } finally {
      client.release();
    }
  };
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async exec(script) {
      await pool.query(script);
    },
    transaction: (fn) => onConnection((c) => c.transaction(fn)),
    withConnection: onConnection,
  };
}
