// Server start-up, run by server.mjs before it accepts requests: open the database (this
// process becomes the one owner of the PGlite folder), apply migrations, and when no account
// exists issue the setup token (server.mjs prints how to use it, last, once all is up).
// Bundled by server.mjs with esbuild; the route handlers (bundled by Next) reach the same
// database through the globalThis singleton.
import { getDatabase, type Database } from "./db/client";
import { issueSetupToken } from "./auth/setup";
import { peerHeaderValue, PEER_HEADER } from "./auth/peer";
import { publicOrigin } from "./hosts";
import { readLimits } from "./limits";
import { recordingsDir } from "./paths";
import { startRetentionJob } from "./runtime/retention";

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
  // Calls, events and recordings past the retention setting go now and every hour.
  startRetentionJob({ prisma: db.prisma, recordingsDir: recordingsDir(), log });
  return { db, setupToken: await issueSetupToken(db.prisma) };
}

/** How to create the first admin while no account exists: the last thing `npm start` prints. */
export function adminSetupLines(baseUrl: string, setupToken: string): string[] {
  return [
    "",
    "  No account exists yet. Create the first admin:",
    `    - on this machine: open ${baseUrl}/ in a browser (requests from localhost need no token), or`,
    `    - from another machine: use the one-time setup token ${setupToken}`,
    `      (${baseUrl}/setup?token=${setupToken}); it is valid until an admin exists or the server restarts.`,
    "",
  ];
}
