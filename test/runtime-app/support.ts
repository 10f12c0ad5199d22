// Shared by the runtime-in-npm-start tests: a media folder with the example's prompts (short
// silent WAVs: a menu whose prompt is missing returns at once, as in FreeSWITCH), the runtime
// bundle exactly as server.mjs builds it, and polling helpers.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { RuntimeHandle, StartRuntimeOptions } from "../../app/lib/server/runtime";
import { wavHeader } from "../../runtime/media/wav";
import { examplePrompts } from "../runtime/support/ivr-fixture";
import { repoRoot } from "../api/helpers";

export function mediaWithPrompts(...examples: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ivr-rtapp-media-"));
  const data = Buffer.alloc(100 * 16);
  for (const p of examplePrompts(...examples)) {
    const file = path.join(dir, p);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.concat([wavHeader(8000, data.length), data]));
  }
  return dir;
}

export interface RuntimeModule {
  startRuntime(options: StartRuntimeOptions): Promise<RuntimeHandle>;
  runtimeEnabled(env?: Record<string, string | undefined>): boolean;
}

/** The runtime as `npm start` runs it: bundled by server.mjs (media worker and Lua files beside it). */
export async function loadBundledRuntime(): Promise<RuntimeModule> {
  const server = (await import(pathToFileURL(path.join(repoRoot, "server.mjs")).href)) as { loadRuntime(): Promise<RuntimeModule> };
  return server.loadRuntime();
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 8000, details?: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${details ? `\n${details()}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
