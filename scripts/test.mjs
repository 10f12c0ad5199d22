// `npm test`: installs what is missing on first run, type-checks, then runs the suite.
import { spawnSync } from "node:child_process";
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

const extra = process.argv.slice(2);
let status = 0;
const t0 = performance.now();
if (extra.length === 0) {
  console.log("Type-checking (tsc --noEmit)...");
  status = run("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]);
  if (status !== 0) {
    console.error("Type check failed.");
    process.exit(status);
  }
  console.log(`Type check: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The cli tests start `ivr` dozens of times: bundle it once before they race to.
  run("node", ["cli/bundle.mjs"]);
}
// The time per test folder is printed at the end (scripts/folder-times.mjs).
const reporters = extra.some((a) => a.startsWith("--reporter")) ? [] : ["--reporter=default", "--reporter=./scripts/folder-times.mjs"];
status = run("npx", ["vitest", "run", ...reporters, ...extra]);
if (extra.length === 0) console.log(`npm test: ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
process.exit(status);
