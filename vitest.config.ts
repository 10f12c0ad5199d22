import path from "node:path";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The order test files start in. A long file started near the end would run alone while the
 * other worker idles, so the folders whose files start whole clusters, apps and browsers (tens
 * of seconds each) go first. Within a rank, vitest's own order: failed first, then longest by
 * the last run's times (when its cache exists; not on CI's fresh clone), then largest.
 */
class SlowFirstSequencer extends BaseSequencer {
  static readonly SLOW_FIRST = ["test/cluster/", "test/e2e/"];

  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const rel = path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join("/");
      const i = SlowFirstSequencer.SLOW_FIRST.findIndex((folder) => rel.startsWith(folder));
      return i < 0 ? SlowFirstSequencer.SLOW_FIRST.length : i;
    };
    const index = new Map(ordered.map((spec, i) => [spec, i]));
    return [...ordered].sort((a, b) => rank(a) - rank(b) || index.get(a)! - index.get(b)!);
  }
}

export default defineConfig({
  resolve: {
    alias: {
      "ivr-studio/runtime": fileURLToPath(new URL("./runtime/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Vitest's default (one worker per core but one) runs the files one at a time on 2 cores,
    // though most of them spend their time waiting on their peers (SIPp, baresip, ffmpeg,
    // Chromium, app servers, timers): two at a time at least. Tests use free ports, so files
    // can run side by side.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: SlowFirstSequencer },
    // Once per run: a scratch folder for what the files share (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    // Servers started by tests don't speak the starter sound set into their sound folders.
    env: { IVR_STARTER_SOUNDS: "0" },
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
