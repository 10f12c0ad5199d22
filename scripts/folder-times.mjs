// Vitest reporter (npm test adds it): the time of each test folder at the end of the run, so a
// slow new test shows up. A file's time is its wall time in its worker: loading the
// environment, importing the file, then its tests and hooks (concurrent tests counted once).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_getRunnerTask as runnerTask } from "vitest/node";

const TEST_DIR = fileURLToPath(new URL("../test/", import.meta.url));

/** One module's wall time in ms. */
function moduleMs(module) {
  const d = module.diagnostic();
  const file = runnerTask(module);
  const run = file.result?.duration ?? d.duration;
  return d.environmentSetupDuration + d.prepareDuration + d.collectDuration + d.setupDuration + run;
}

export default class FolderTimes {
  onInit(ctx) {
    this.started = performance.now();
    this.ctx = ctx;
  }

  onTestRunEnd(modules) {
    const folders = new Map();
    for (const m of modules) {
      const rel = path.relative(TEST_DIR, m.moduleId);
      const folder = rel.includes(path.sep) ? rel.split(path.sep)[0] : ".";
      const f = folders.get(folder) ?? { files: 0, tests: 0, failed: 0, ms: 0 };
      f.files++;
      for (const t of m.children.allTests()) {
        f.tests++;
        if (t.result().state === "failed") f.failed++;
      }
      f.ms += moduleMs(m);
      folders.set(folder, f);
    }
    const rows = [...folders].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, f]) => s + f.ms, 0);
    const line = (name, files, tests, ms, note = "") =>
      `  ${name.padEnd(14)} ${String(files).padStart(5)} ${String(tests).padStart(6)} ${(ms / 1000).toFixed(1).padStart(8)} s${note}`;
    const out = ["", "Time per test folder (wall time of its files in their workers, summed):", line("folder", "files", "tests", NaN).replace("NaN s", "   time")];
    for (const [name, f] of rows) out.push(line(`test/${name}`, f.files, f.tests, f.ms, f.failed ? `  (${f.failed} failed)` : ""));
    out.push(line("all", rows.reduce((s, [, f]) => s + f.files, 0), rows.reduce((s, [, f]) => s + f.tests, 0), total));
    out.push(`  vitest wall time: ${((performance.now() - this.started) / 1000).toFixed(1)} s`, "");
    (this.ctx?.logger ?? console).log(out.join("\n"));
  }
}
