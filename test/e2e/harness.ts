// Around every e2e file's tests: the built app (server.mjs on a free port, a data folder of its
// own starting from the run's migrated database, its runtime on a free SIP port) and a Chromium
// page, started side by side; both stopped after the file. `next build` runs once per change
// (fixtures/designer-app.ts ensureBuilt), whichever file comes first.
import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { ensureBuilt, launchBrowser, ROOT, startApp, type Browser, type RunningApp } from "../../fixtures/designer-app";
import { copyMigratedDataDir } from "../support/migrated-database";

export const ARTIFACTS = path.join(ROOT, "test-artifacts");

export interface DesignerAppOptions {
  /** The server's environment on top of this process's (IVR_RTP_PORTS, IVR_MEDIA_DIR, IVR_RUNTIME, ...). */
  env?: Record<string, string>;
  /**
   * Before the server starts: put what the file needs in its data folder (its database, already
   * migrated, is <dataDir>/pglite); may return more of the server's environment.
   */
  seed?: (dataDir: string) => Promise<Record<string, string> | void>;
  /** Where Chromium saves downloads. */
  downloadsPath?: string;
  /** The page's default timeout, ms. */
  timeout?: number;
}

export interface DesignerApp {
  app: RunningApp;
  browser: Browser;
  page: Page;
}

/** Registers the file's beforeAll/afterAll; the returned object is filled in by beforeAll. */
export function withDesignerApp(options: DesignerAppOptions = {}): DesignerApp {
  const e2e = {} as DesignerApp;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureBuilt();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "ivr-e2e-data-"));
    await copyMigratedDataDir(path.join(dataDir, "pglite"));
    const seeded = (await options.seed?.(dataDir)) ?? {};
    // Chromium starts while the server boots; each is kept as soon as it is up, for afterAll.
    const started = await Promise.allSettled([
      startApp({ dataDir, env: { IVR_SIP: "127.0.0.1:0", ...options.env, ...seeded } }).then((app) => (e2e.app = app)),
      launchBrowser(options.downloadsPath).then((browser) => (e2e.browser = browser)),
    ]);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    e2e.page = await e2e.browser.context.newPage();
    e2e.page.setDefaultTimeout(options.timeout ?? 15_000);
  }, 300_000);
  afterAll(async () => {
    await e2e.browser?.close();
    await e2e.app?.stop();
  }, 30_000);
  return e2e;
}
