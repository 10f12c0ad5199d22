// Once per `vitest run`, before any test file: a scratch folder for what the files of this run
// share (the migrated database image of test/api/helpers.ts), removed at the end of the run,
// so nothing is carried over from an earlier run.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's scratch folder. */
    ivrRunDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-test-run-"));
  project.provide("ivrRunDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
