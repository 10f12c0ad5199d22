// `npm test`: installs what is missing on first run, type-checks, then runs the suite.
import { spawn, spawnSync } from "node:child_process";
import { ensureNodeModules, ensureSystemPackages, root } from "./ensure.mjs";

// Real peers and tools the tests drive (see .ci/run, which installs them).
export const TEST_SYSTEM_PACKAGES = [
  ["lua5.2", "lua5.2"],
  ["lua5.3", "lua5.3"],
  ["lua5.4", "lua5.4"],
  ["sipp", "sip-tester"],
  ["ffmpeg", "ffmpeg"],
  ["ffprobe", "ffmpeg"],
  ["flite", "flite"],
  ["espeak-ng", "espeak-ng"],
  ["chromium", "chromium"],
  ["baresip", "baresip"],
  ["sox", "sox"],
];

ensureSystemPackages(TEST_SYSTEM_PACKAGES);
ensureNodeModules();
// The Prisma client is generated, not committed; the type check and the API tests need it.
(await import("./prisma-client.mjs")).ensurePrismaClient();

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  return r.status ?? 1;
};
/** run, without blocking this process (a child started beside it keeps being read). */
const runAsync = (cmd, args) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    child.on("close", (code) => resolve(code ?? 1));
    child.on("error", () => resolve(1));
  });

/**
 * The designer's production build the e2e files need (fixtures/designer-app.ts ensureBuilt:
 * nothing when .next is up to date), started beside the type check so that on a fresh clone
 * the two share the cores instead of the first e2e file building later while the others wait.
 * Its output is kept; if it fails, the first e2e file builds again and reports why.
 */
function prebuildDesigner() {
  const child = spawn(
    "npx",
    ["tsx", "-e", 'import("./fixtures/designer-app.ts").then((m) => { if (!m.unavailableReason()) m.ensureBuilt(); })'],
    // Its own process group: stop() ends the build under it too.
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" }, detached: true },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const done = new Promise((resolve) => child.on("close", (code) => resolve(code)));
  return {
    async wait() {
      const code = await done;
      if (code !== 0) console.error(`Building the designer beforehand failed (the e2e files will try again):\n${output.slice(-2000)}`);
    },
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already done */
      }
    },
  };
}

const extra = process.argv.slice(2);
let status = 0;
const t0 = performance.now();
if (extra.length === 0) {
  const prebuild = prebuildDesigner();
  console.log("Type-checking (tsc --noEmit)...");
  status = await runAsync("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
  if (status !== 0) {
    console.error("Type check failed.");
    prebuild.stop();
    process.exit(status);
  }
  console.log(`Type check: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await prebuild.wait();
  console.log(`Designer build checked: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The cli tests start `ivr` dozens of times: bundle it once before they race to.
  run("node", ["cli/bundle.mjs"]);
}
// The time per test folder is printed at the end (scripts/folder-times.mjs).
const reporters = extra.some((a) => a.startsWith("--reporter")) ? [] : ["--reporter=default", "--reporter=./scripts/folder-times.mjs"];
status = run("npx", ["vitest", "run", ...reporters, ...extra]);
if (extra.length === 0) console.log(`npm test: ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
process.exit(status);
