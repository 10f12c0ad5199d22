// Runs a TypeScript (or JavaScript) IVR script for a call: the module's default export
// `main(session, argv)`. Scripts are compiled once with esbuild and cached by path+mtime.
import { build } from "esbuild";
import { statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ScriptExit } from "../session/errors";
import type { Session, ScriptMain } from "../session/types";

const cache = new Map<string, Promise<ScriptMain>>();

export class ScriptLoadError extends Error {}

export interface TsLoadOptions {
  cacheDir?: string;
  /** Global name of a guarded fetch (http-guard.ts): the script's `fetch` is bound to it. */
  fetchGlobal?: string;
  /** Global name of a clock's Date (runtime/clock.ts registerClockDate): the script's `Date` is bound to it. */
  dateGlobal?: string;
}

/** Compile and import a script once; later calls reuse it until the file changes. */
export function loadTsScript(file: string, options: TsLoadOptions = {}): Promise<ScriptMain> {
  const cacheDir = options.cacheDir ?? path.join(os.tmpdir(), "ivr-studio-scripts");
  const abs = path.resolve(file);
  let key: string;
  try {
    const st = statSync(abs);
    key = `${abs}:${st.mtimeMs}:${st.size}:${options.fetchGlobal ?? ""}:${options.dateGlobal ?? ""}`;
  } catch {
    return Promise.reject(new ScriptLoadError(`script not found: ${file}`));
  }
  let p = cache.get(key);
  if (!p) {
    p = compileAndImport(abs, key, cacheDir, options);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function compileAndImport(abs: string, key: string, cacheDir: string, options: TsLoadOptions): Promise<ScriptMain> {
  const { fetchGlobal, dateGlobal } = options;
  const define: Record<string, string> = {};
  // HTTP from the script goes through the server's allow-list.
  if (fetchGlobal) Object.assign(define, { fetch: `globalThis.${fetchGlobal}`, "globalThis.fetch": `globalThis.${fetchGlobal}` });
  // "now" and the local zone come from the server's clock (pinned in tests).
  if (dateGlobal) Object.assign(define, { Date: `globalThis.${dateGlobal}`, "globalThis.Date": `globalThis.${dateGlobal}` });
  let code: string;
  try {
    const r = await build({
      entryPoints: [abs],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      logLevel: "silent",
      // Types only: `import type` is erased; keep any runtime import of ours external-free.
      external: ["ivr-studio/runtime"],
      packages: "external",
      define: Object.keys(define).length ? define : undefined,
    });
    code = r.outputFiles[0].text;
  } catch (e) {
    const err = e as { errors?: Array<{ text: string; location?: { line: number; column: number } }> };
    const first = err.errors?.[0];
    throw new ScriptLoadError(
      `${abs}: ${first ? `${first.text}${first.location ? ` (line ${first.location.line}:${first.location.column})` : ""}` : String(e)}`,
    );
  }
  await mkdir(cacheDir, { recursive: true });
  const out = path.join(cacheDir, `${path.basename(abs).replace(/\W/g, "_")}-${createHash("sha256").update(key).digest("hex").slice(0, 12)}.mjs`);
  await writeFile(out, code);
  const mod = (await import(pathToFileURL(out).href)) as { default?: unknown };
  if (typeof mod.default !== "function") throw new ScriptLoadError(`${abs}: the module has no default export function main(session, argv)`);
  return mod.default as ScriptMain;
}

export type ScriptEnd = { kind: "returned" } | { kind: "exit"; how: string } | { kind: "error"; message: string; stack?: string };

/** Run main(session, argv); never throws: a script error ends only its own call. */
export async function runTsScript(main: ScriptMain, session: Session, argv: string[]): Promise<ScriptEnd> {
  try {
    await main(session, argv);
    return { kind: "returned" };
  } catch (e) {
    if (e instanceof ScriptExit) return { kind: "exit", how: e.how };
    const err = e as Error;
    return { kind: "error", message: err?.message ?? String(e), stack: err?.stack };
  }
}
