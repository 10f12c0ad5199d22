// IVR Studio's one server process: owns the embedded database, serves the designer (Next.js,
// production build) and its API on http://localhost:3000 (PORT overrides). Started by
// `npm start` (scripts/start.mjs), which installs, generates and builds what is missing first.
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import http from "node:http";
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
 * Bundle the SIP/RTP runtime's bridge (app/lib/server/runtime) for plain Node, with what the
 * bundled runtime loads from beside itself: the media worker (worker/media-worker.js, started in
 * its own thread) and the Lua host's prelude files (lua/*.lua).
 */
export async function loadRuntime() {
  const outdir = path.join(root, ".ivr-cache", "server");
  const { outputFiles } = await build({
    entryPoints: {
      runtime: path.join(root, "app", "lib", "server", "runtime", "index.ts"),
      "worker/media-worker": path.join(root, "runtime", "media", "worker", "media-worker.ts"),
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
 * The SIP/RTP runtime joins this process (unless IVR_RUNTIME=off): SIP and the call scripts on
 * this thread, RTP pacing in its own worker thread, routes and call logs in this process's
 * database (PGlite has a single owner). If it cannot start, the designer still runs.
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

export async function startServer({ port = Number(process.env.PORT) || 3000, hostname = process.env.HOST || "0.0.0.0" } = {}) {
  const bootModule = await loadBoot();
  const baseUrl = `http://localhost:${port}`;
  const { db } = await bootModule.boot(baseUrl);

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

  const shutdown = async (signal) => {
    console.log(`\n${signal}: shutting down`);
    server.close();
    if (runtime) {
      // New calls get 503; calls in progress may finish (up to 10 s); then the call log is flushed.
      console.log(`SIP: refusing new calls, ${runtime.server.activeCalls} call(s) in progress`);
      await runtime.stop(10_000).catch((e) => console.error("SIP: stop failed:", e));
    }
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
