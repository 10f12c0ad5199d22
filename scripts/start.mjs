// `npm start`: from a fresh clone to a running server in one command. Installs npm packages
// if missing, generates the Prisma client, builds the Next.js app when it is missing or older
// than the sources, then starts server.mjs (which applies migrations and serves on PORT/3000).
// The log is meant to be read by a newcomer: what was installed or built, then the database,
// the URL, where SIP and RTP listen, and last how to create the first admin.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ensureNodeModules, ensureNodeVersion, root } from "./ensure.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";

ensureNodeVersion();
const installed = ensureNodeModules();
const { ensurePrismaClient } = await import("./prisma-client.mjs");
const generated = ensurePrismaClient();

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

/**
 * `next build`, its output kept in .ivr-cache/next-build.log: its route table is for Next
 * developers, not for someone starting the app. A failed build prints the end of it; warnings
 * are counted and named, so none goes unseen.
 */
function buildWebApp() {
  console.log("Building the web app (next build; a minute or two the first time)...");
  const b0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: "0" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const logFile = path.join(root, ".ivr-cache", "next-build.log");
  mkdirSync(path.dirname(logFile), { recursive: true });
  writeFileSync(logFile, output);
  const shownLog = path.relative(root, logFile);
  if (r.status !== 0) {
    console.error(output.split("\n").slice(-60).join("\n"));
    console.error(`next build failed (full output: ${shownLog})`);
    process.exit(r.status ?? 1);
  }
  const warnings = output.split("\n").filter((l) => /^\s*(⚠|Warning:)/.test(l));
  console.log(`Built the web app in ${((Date.now() - b0) / 1000).toFixed(0)} s`);
  if (warnings.length) console.log(`next build printed ${warnings.length} warning(s), see ${shownLog}:\n${warnings.map((w) => `  ${w.trim()}`).join("\n")}`);
}

const buildId = path.join(root, ".next", "BUILD_ID");
const built = !existsSync(buildId) || statSync(buildId).mtimeMs < newestSource();
if (built) buildWebApp();
if (!installed && !generated && !built) console.log("Dependencies, Prisma client and web app are up to date.");

const { startServer } = await import("../server.mjs");
await startServer();
