#!/usr/bin/env node
// The `ivr` command: runs cli/main.ts in this process, so exit codes pass straight through;
// from an esbuild bundle (cli/bundle.mjs), or through tsx when the bundle cannot be written.
import { fileURLToPath } from "node:url";

// `ivr generate flow.json | head`: a closed pipe is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const fail = (message) => {
  process.stderr.write(`ivr: ${message}\n`);
  process.exitCode = 70;
};

/** Through tsx, with this repository's tsconfig whatever the cwd (slow: compiles every start). */
async function mainFromSources() {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  return import("./main.ts");
}

if (process.env.IVR_DEBUG) process.setSourceMapsEnabled(true);
let main;
try {
  let mod;
  try {
    mod = await (await import("./bundle.mjs")).loadCliMain();
  } catch (e) {
    if (e?.code !== "EACCES" && e?.code !== "EROFS" && e?.code !== "EPERM") throw e;
    mod = await mainFromSources(); // a read-only install
  }
  ({ main } = mod);
} catch (e) {
  const missing = e?.code === "ERR_MODULE_NOT_FOUND" && /tsx|esbuild/.test(String(e.message));
  fail(missing ? "npm dependencies are not installed (run: npm ci)" : `cannot start: ${String(e?.message ?? e).split("\n")[0]}`);
  if (process.env.IVR_DEBUG && e?.stack) process.stderr.write(`${e.stack}\n`);
}
if (main) process.exitCode = await main(process.argv.slice(2));
