// Server start-up, run by server.mjs before it accepts requests: open the database (this
// process becomes the one owner of the PGlite folder), apply migrations, and when no account
// exists print how to create the first admin. Bundled by server.mjs with esbuild; the route
// handlers (bundled by Next) reach the same database through the globalThis singleton.
import { getDatabase, type Database } from "./db/client";
import { issueSetupToken } from "./auth/setup";
import { peerHeaderValue, PEER_HEADER } from "./auth/peer";
import { publicOrigin } from "./hosts";
import { readLimits } from "./limits";

export { closeDatabase, getDatabase } from "./db/client";
export { PEER_HEADER, peerHeaderValue };
export { gatedHandler } from "./gate";

export interface BootInfo {
  db: Database;
  setupToken?: string;
}

/** Settings read on every request are checked once here, so a typo stops the start, not a request. */
export function checkRequestSettings(): void {
  publicOrigin();
  readLimits();
}

export async function boot(baseUrl: string, log: (line: string) => void = console.log): Promise<BootInfo> {
  checkRequestSettings();
  const t0 = Date.now();
  const db = await getDatabase();
  const m = db.migrations;
  log(
    `[db] ${db.kind} at ${db.location} ready in ${Date.now() - t0} ms; migrations: ${m.applied.length} applied now` +
      (m.applied.length ? ` (${m.applied.join(", ")})` : "") +
      `, ${m.alreadyApplied.length} already applied`,
  );
  const setupToken = await issueSetupToken(db.prisma);
  if (setupToken) {
    log("");
    log("  No account exists yet. Create the first admin:");
    log(`    - on this machine: open ${baseUrl}/ in a browser (requests from localhost need no token), or`);
    log(`    - from another machine: use the one-time setup token ${setupToken}`);
    log(`      (${baseUrl}/setup?token=${setupToken}); it is valid until an admin exists or the server restarts.`);
    log("");
  }
  return { db, setupToken };
}
