// Find a real PostgreSQL for the tests: IVR_TEST_DATABASE_URL, or a local server on the default
// port. Returns undefined (and the reason) when none answers, so those tests skip clearly.
import pg from "pg";

export const PG_ADMIN_URL = process.env.IVR_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function probePostgres(): Promise<{ url?: string; reason?: string }> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { url: PG_ADMIN_URL };
  } catch (e) {
    return { reason: `no PostgreSQL reachable at ${PG_ADMIN_URL.replace(/:[^:@/]*@/, ":***@")} (${(e as Error).message}); set IVR_TEST_DATABASE_URL to run these tests` };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Create a throwaway database next to the admin URL's; returns its URL and a dropper. */
export async function createScratchDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ivr_test_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
