// The `ivr` command as plain JavaScript: cli/main.ts bundled once by esbuild into
// .ivr-cache/cli (as server.mjs does for the runtime), rebuilt when one of its sources
// changes. A start then costs ~0.2 s instead of ~3 s of compiling through tsx; `serve` (the
// runtime) is a chunk of its own, loaded only by that command.
// Beside the bundle: the media worker (runtime/media/engine.ts starts worker/media-worker.js
// next to the code that imports it), the realm TS scripts' isolates start with
// (runtime/host/ts-host.ts reads sandbox/realm.js) and the Lua host's prelude files (lua/*.lua).
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const LUA_DIR = path.join("runtime", "host", "lua");
/** Entry points: name in the bundle folder -> source. */
const ENTRIES = {
  main: "cli/main.ts",
  "worker/media-worker": "runtime/media/worker/media-worker.ts",
  // `serve --database` runs the runtime as npm start does: in this thread of its own.
  "runtime-thread": "app/lib/server/runtime/runtime-thread.ts",
};
/** The realm is one classic script run inside each TS script's isolate: bundled on its own (no chunks). */
const REALM = { name: "sandbox/realm", source: "runtime/host/sandbox/realm.ts" };

export function cliBundleDir() {
  return process.env.IVR_CLI_CACHE ?? path.join(root, ".ivr-cache", "cli");
}

const stamp = (file) => {
  const st = statSync(path.join(root, file));
  return `${st.mtimeMs}:${st.size}`;
};

/** The bundle is current when every input it was built from is unchanged. */
function isFresh(outdir) {
  try {
    const { inputs } = JSON.parse(readFileSync(path.join(outdir, "inputs.json"), "utf8"));
    return Object.entries(inputs).every(([file, s]) => stamp(file) === s);
  } catch {
    return false;
  }
}

/** Write by rename: an `ivr` starting at the same moment never reads half a file. */
function writeAtomic(file, contents) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

async function build(outdir) {
  const { build: esbuild } = await import("esbuild");
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(root, v)])),
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // `serve` (the runtime) is its own chunk, loaded only when asked for.
    splitting: true,
    chunkNames: "chunk-[hash]",
    sourcemap: "linked",
    logLevel: "silent",
    metafile: true,
    write: false,
  });
  // As runtime/host/ts-host.ts bundles it when it runs from sources.
  const realm = await esbuild({
    absWorkingDir: root,
    entryPoints: { [REALM.name]: path.join(root, REALM.source) },
    outdir,
    bundle: true,
    platform: "neutral",
    format: "iife",
    target: "es2022",
    logLevel: "silent",
    metafile: true,
    write: false,
  });
  for (const f of [...result.outputFiles, ...realm.outputFiles]) writeAtomic(f.path, f.contents);
  writeAtomic(path.join(outdir, "package.json"), '{ "type": "module" }\n');
  const luaFiles = readdirSync(path.join(root, LUA_DIR)).filter((f) => f.endsWith(".lua"));
  for (const f of luaFiles) writeAtomic(path.join(outdir, "lua", f), readFileSync(path.join(root, LUA_DIR, f)));
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs), ...Object.keys(realm.metafile.inputs), ...luaFiles.map((f) => path.join(LUA_DIR, f)), "cli/bundle.mjs"]) {
    if (!file.startsWith("node_modules/")) inputs[file] = stamp(file);
  }
  // Last: a build cut short is never taken for a current one.
  writeAtomic(path.join(outdir, "inputs.json"), JSON.stringify({ inputs }));
}

/** cli/main.ts's module, from the bundle (built first when missing or stale). */
export async function loadCliMain() {
  const outdir = cliBundleDir();
  if (!isFresh(outdir)) await build(outdir);
  return import(pathToFileURL(path.join(outdir, "main.js")).href);
}

// `node cli/bundle.mjs`: build now (CI and tests warm it once before running many `ivr`s).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = cliBundleDir();
  if (!isFresh(outdir)) await build(outdir);
}
