// `npm start`: from a fresh clone to a running server in one command. Installs npm packages
// if missing, generates the Prisma client, builds the Next.js app when it is missing or older
// than the sources, then starts server.mjs (which applies migrations and serves on PORT/3000).
import { existsSync, readdirSync, statSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureNodeModules, root } from "./ensure.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const t0 = Date.now();

ensureNodeModules();
const { ensurePrismaClient } = await import("./prisma-client.mjs");
ensurePrismaClient();

/** Newest modification time among the files the Next build depends on. */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== "node_modules" && !e.startsWith(".")) visit(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["app", "flow", "generators", "public", "prisma/schema.prisma", "prisma/generated", "package-lock.json", "tsconfig.json"]) visit(path.join(root, p));
  for (const f of readdirSync(root)) if (/^next\.config\./.test(f)) visit(path.join(root, f));
  return newest;
}

const buildId = path.join(root, ".next", "BUILD_ID");
if (!existsSync(buildId) || statSync(buildId).mtimeMs < newestSource()) {
  console.log("Building the web app (next build)...");
  const b0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, stdio: "inherit", env: process.env });
  if (r.status !== 0) {
    console.error("next build failed: see the output above");
    process.exit(r.status ?? 1);
  }
  console.log(`Built in ${((Date.now() - b0) / 1000).toFixed(1)} s`);
}

const { startServer } = await import("../server.mjs");
await startServer();
console.log(`Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s since npm start`);
