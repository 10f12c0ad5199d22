// First-run helpers shared by `npm test` and `npm start`: install npm dependencies
// from the lockfile when missing, and name any missing system package in one line.
import { existsSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function ensureNodeModules() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000) return;
  console.log("Installing npm dependencies from package-lock.json (first run)...");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error("npm ci failed: see the output above");
    process.exit(r.status ?? 1);
  }
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
