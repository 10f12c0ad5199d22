// IVR Studio's one server process: owns the embedded database, serves the designer (Next.js,
// production build) and its API on http://localhost:3000 (PORT overrides). Started by
// `npm start` (scripts/start.mjs), which installs, generates and builds what is missing first.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import next from "next";

const root = path.dirname(fileURLToPath(import.meta.url));
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.IVR_ROOT ??= root;

/** Bundle the server-side TypeScript start-up code (db, migrations, setup token) for plain Node. */
async function loadBoot() {
  const outfile = path.join(root, ".ivr-cache", "server", "boot.mjs");
  await build({
    entryPoints: [path.join(root, "app", "lib", "server", "boot.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
  return import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
}

/**
 * Worker threads the runtime starts, bundled beside it: every runtime/<room>/worker/*-worker.ts
 * becomes worker/<name>.js, which is where the module that starts it looks when it runs from a
 * bundle (`new URL("./worker/<name>.js", import.meta.url)`; from the sources it loads the .ts).
 */
function runtimeWorkerEntries() {
  const entries = {};
  const runtimeDir = path.join(root, "runtime");
  for (const room of readdirSync(runtimeDir, { withFileTypes: true })) {
    if (!room.isDirectory()) continue;
    const workerDir = path.join(runtimeDir, room.name, "worker");
    if (!existsSync(workerDir)) continue;
    for (const f of readdirSync(workerDir)) {
      if (/^[\w-]+-worker\.ts$/.test(f)) entries[`worker/${f.replace(/\.ts$/, "")}`] = path.join(workerDir, f);
    }
  }
  return entries;
}

/**
 * Bundle the SIP/RTP runtime for plain Node: its bridge on the web server's thread
 * (app/lib/server/runtime/index.ts -> runtime.js), the runtime thread it starts
 * (runtime-thread.js: SIP, calls, scripts), the worker threads the runtime starts in turn (the
 * media worker, ...; runtimeWorkerEntries), the realm TS scripts' isolates start with
 * (sandbox/realm.js, loaded by runtime/host/ts-host.ts) and the Lua host's prelude files (lua/*.lua).
 */
export async function loadRuntime() {
  const outdir = path.join(root, ".ivr-cache", "server");
  const { outputFiles } = await build({
    entryPoints: {
      runtime: path.join(root, "app", "lib", "server", "runtime", "index.ts"),
      "runtime-thread": path.join(root, "app", "lib", "server", "runtime", "runtime-thread.ts"),
      ...runtimeWorkerEntries(),
      "sandbox/realm": path.join(root, "runtime", "host", "sandbox", "realm.ts"),
      // The designer's simulator: its WebSocket endpoint, and the process each simulator call runs in.
      simulator: path.join(root, "app", "lib", "server", "simulator", "ws.ts"),
      "simulator-child": path.join(root, "runtime", "testing", "simulator-child.ts"),
    },
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    write: false,
  });
  // Written by rename: another server.mjs starting at the same moment never imports half a file.
  for (const f of outputFiles) {
    mkdirSync(path.dirname(f.path), { recursive: true });
    writeFileSync(`${f.path}.${process.pid}.tmp`, f.contents);
    renameSync(`${f.path}.${process.pid}.tmp`, f.path);
  }
  // The .js outputs are ES modules wherever .ivr-cache ends up.
  writeFileSync(path.join(outdir, "package.json"), '{ "type": "module" }\n');
  const luaSrc = path.join(root, "runtime", "host", "lua");
  mkdirSync(path.join(outdir, "lua"), { recursive: true });
  for (const f of readdirSync(luaSrc)) {
    if (!f.endsWith(".lua")) continue;
    const target = path.join(outdir, "lua", f);
    copyFileSync(path.join(luaSrc, f), `${target}.${process.pid}.tmp`);
    renameSync(`${target}.${process.pid}.tmp`, target);
  }
  return import(`${pathToFileURL(path.join(outdir, "runtime.js")).href}?t=${Date.now()}`);
}

/**
 * The SIP/RTP runtime (unless IVR_RUNTIME=off): SIP, calls and scripts in their own worker
 * thread, RTP pacing in the media worker beside it, so the web server's work (pages, imports)
 * never delays them; routes and call logs stay in this thread's database (PGlite has a single
 * owner) and travel as messages. If it cannot start, the designer still runs.
 */
async function startRuntime({ db }) {
  try {
    const runtimeModule = await loadRuntime();
    if (!runtimeModule.runtimeEnabled()) {
      console.log("SIP: off (IVR_RUNTIME=off)");
      return undefined;
    }
    return await runtimeModule.startRuntime({ prisma: db.prisma, cacheDir: path.join(root, ".ivr-cache") });
  } catch (e) {
    console.error(`SIP: not started: ${e?.message ?? e}`);
    if (process.env.IVR_DEBUG && e?.stack) console.error(e.stack);
    return undefined;
  }
}

/**
 * The designer's simulator: WebSocket upgrades at /api/simulator (app/lib/server/simulator/ws.ts,
 * bundled by loadRuntime beside the runtime). Each call runs in a child process of its own.
 */
async function attachSimulator(server) {
  try {
    const outdir = path.join(root, ".ivr-cache", "server");
    if (!existsSync(path.join(outdir, "simulator.js"))) await loadRuntime();
    const mod = await import(`${pathToFileURL(path.join(outdir, "simulator.js")).href}?t=${Date.now()}`);
    mod.attachSimulator(server);
  } catch (e) {
    console.error(`Simulator: not available: ${e?.message ?? e}`);
  }
}

/**
 * Under CPU contention the runtime comes first: once its threads exist, the web server's thread
 * (pages, API, the database) lowers its own CPU priority by IVR_WEB_NICE (default 10; 0 = off).
 * On Linux a nice value belongs to one thread, so the runtime thread, the media worker, libuv's
 * pool and V8's helper threads keep theirs; threads this thread starts later inherit it.
 */
function lowerWebThreadPriority() {
  const raw = process.env.IVR_WEB_NICE ?? "10";
  const nice = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || nice > 19) {
    console.error(`IVR_WEB_NICE must be a whole number from 0 to 19, got "${raw}"; the web server keeps its priority.`);
    return;
  }
  if (nice === 0) return;
  try {
    os.setPriority(Math.min(19, os.getPriority() + nice));
  } catch (e) {
    console.error(`The web server could not lower its CPU priority: ${e?.message ?? e}`);
  }
}

/**
 * Next's request handler loads next.config.js as it prepares, and the first load in a process
 * announces itself ("✓ Running next.config.js took 9ms") in the middle of the start log. Next
 * keeps loaded configs per process, so loading it here without logging makes that one a cache
 * hit. Only a message is at stake: if Next's internals move, the handler loads it as before.
 */
async function loadNextConfigQuietly() {
  try {
    const [{ default: configModule }, { PHASE_PRODUCTION_SERVER }] = await Promise.all([import("next/dist/server/config.js"), import("next/constants.js")]);
    const loadConfig = configModule?.default ?? configModule;
    if (typeof loadConfig === "function") await loadConfig(PHASE_PRODUCTION_SERVER, root, { silent: true });
  } catch {
    /* the handler will load (and announce) it itself */
  }
}

export async function startServer({ port = Number(process.env.PORT) || 3000, hostname = process.env.HOST || "0.0.0.0" } = {}) {
  const bootModule = await loadBoot();
  const baseUrl = `http://localhost:${port}`;
  const { db, setupToken } = await bootModule.boot(baseUrl);

  await loadNextConfigQuietly();
  const app = next({ dev: false, dir: root, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();

  // Host allow-list, declared body size and the socket's peer address, before Next sees anything.
  const server = http.createServer(bootModule.gatedHandler(handle));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  console.log(`IVR Studio is listening on ${baseUrl}`);

  const runtime = await startRuntime({ db, getDatabase: bootModule.getDatabase, server });
  await attachSimulator(server);
  // (A runtime sharing this thread, IVR_RUNTIME_THREAD=off, would be lowered with it.)
  if (runtime?.ownThread) lowerWebThreadPriority();
  console.log(`Ready in ${process.uptime().toFixed(1)} s`);
  // Last, so it is what a newcomer sees: nothing else is printed after it at a normal start.
  if (setupToken) for (const line of bootModule.adminSetupLines(baseUrl, setupToken)) console.log(line);

  const shutdown = async (signal) => {
    console.log(`\n${signal}: shutting down`);
    server.close();
    // New calls get 503; calls in progress may finish (up to 10 s); then the call log is flushed.
    if (runtime) await runtime.stop(10_000).catch((e) => console.error("SIP: stop failed:", e));
    await bootModule.closeDatabase().catch(() => {});
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  startServer().catch((e) => {
    console.error("IVR Studio failed to start:", e);
    process.exit(1);
  });
}
