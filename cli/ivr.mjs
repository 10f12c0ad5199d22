#!/usr/bin/env node
// The `ivr` command: registers tsx (with this repository's tsconfig, whatever the cwd)
// and runs cli/main.ts in this process, so exit codes pass straight through.
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

let main;
try {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
  ({ main } = await import("./main.ts"));
} catch (e) {
  const missing = e?.code === "ERR_MODULE_NOT_FOUND" && /tsx/.test(String(e.message));
  fail(missing ? "npm dependencies are not installed (run: npm ci)" : `cannot start: ${String(e?.message ?? e).split("\n")[0]}`);
  if (process.env.IVR_DEBUG && e?.stack) process.stderr.write(`${e.stack}\n`);
}
if (main) process.exitCode = await main(process.argv.slice(2));
