// IVR Studio's one server process: owns the embedded database, serves the designer (Next.js,
// production build) and its API on http://localhost:3000 (PORT overrides). Started by
// `npm start` (scripts/start.mjs), which installs, generates and builds what is missing first.
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
 * Hook for the SIP/RTP runtime: it joins this process (a worker thread for media) and reaches
 * the database through `bootModule.getDatabase()` here, since PGlite has a single owner.
 * Not wired yet: the runtime's server entry lands with the runtime work.
 */
async function startRuntime(_context) {}

export async function startServer({ port = Number(process.env.PORT) || 3000, hostname = process.env.HOST || "0.0.0.0" } = {}) {
  const bootModule = await loadBoot();
  const baseUrl = `http://localhost:${port}`;
  const { db } = await bootModule.boot(baseUrl);

  const app = next({ dev: false, dir: root, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = http.createServer((req, res) => {
    // The peer address comes from the socket only; whatever a client sent in this header
    // (or in X-Forwarded-For) is replaced, so "localhost" cannot be forged.
    req.headers[bootModule.PEER_HEADER] = bootModule.peerHeaderValue(req.socket.remoteAddress ?? "");
    handle(req, res).catch((e) => {
      console.error("[server] request failed:", e);
      if (!res.headersSent) res.writeHead(500).end("Internal error");
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  console.log(`IVR Studio is listening on ${baseUrl}`);

  await startRuntime({ db, getDatabase: bootModule.getDatabase, server });

  const shutdown = async (signal) => {
    console.log(`\n${signal}: shutting down`);
    server.close();
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
