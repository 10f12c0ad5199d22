// First-run helpers shared by `npm test` and `npm start`: install npm dependencies
// from the lockfile when missing, and name any missing system package in one line.
import { existsSync, readFileSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Stops with one clear line when this Node is older than package.json's engines.node (">=X.Y"). */
export function ensureNodeVersion() {
  const wanted = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).engines?.node ?? "";
  const m = /^>=\s*(\d+)(?:\.(\d+))?/.exec(wanted);
  if (!m) return;
  const [major, minor] = process.versions.node.split(".").map(Number);
  const [needMajor, needMinor] = [Number(m[1]), Number(m[2] ?? 0)];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return;
  console.error(`IVR Studio needs Node.js ${wanted} (package.json "engines"); this is ${process.version}.`);
  process.exit(1);
}

/** Runs `npm ci` when node_modules is missing or older than the lockfile; true if it did. */
export function ensureNodeModules() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000) return false;
  console.log("Installing npm dependencies from package-lock.json (first run)...");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error("npm ci failed: see the output above");
    process.exit(r.status ?? 1);
  }
  return true;
}

/** [command, Debian package] pairs; exits with one clear line per missing package. */
export function ensureSystemPackages(pairs) {
  const missing = [];
  for (const [cmd, pkg] of pairs) {
    const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    if (r.status !== 0) missing.push(pkg);
  }
  if (missing.length) {
    const uniq = [...new Set(missing)];
    console.error(`Missing system package(s): ${uniq.join(" ")} — install with: sudo apt-get install -y ${uniq.join(" ")}`);
    process.exit(1);
  }
}
