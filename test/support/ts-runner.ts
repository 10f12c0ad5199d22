// Runs a generated TypeScript script (`export default async function main(session, argv)`)
// against the TS stand-in: esbuild strips the types (the `import type` line disappears),
// the module is imported from a temp file, global fetch answers from the scripted caller,
// and Date is faked to the caller's "now". Must run inside vitest (uses vi for Date).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { transform } from "esbuild";
import { vi } from "vitest";
import type { ScriptedCaller } from "./caller";
import type { RunResult } from "./run-result";
import { HarnessError, ScriptExit } from "./session-model";
import { SessionStandIn } from "./session-standin";

export interface TsRunOptions {
  /** Give up after this long; default 10 s. */
  timeoutMs?: number;
}

/** fetch answered from the caller's scripted HTTP replies (status 0 = connection failure). */
function scriptedFetch(standIn: SessionStandIn): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const body = typeof init?.body === "string" ? init.body : undefined;
    const model = standIn.model;
    const entry = { kind: "host" as const, method: "fetch", args: [url, method, body ?? null], node: model.vars.get("ivr_node") ?? null } as {
      kind: "host";
      method: string;
      args: unknown[];
      node: string | null;
      result?: unknown;
      error?: string;
    };
    model.trace.push(entry);
    const reply = model.nextHttpReply({ url, method, body });
    if (reply.status === 0) {
      entry.error = "fetch failed";
      throw new TypeError("fetch failed");
    }
    entry.result = reply.status;
    const nullBody = reply.status === 204 || reply.status === 304;
    return new Response(nullBody ? null : (reply.body ?? ""), { status: reply.status, headers: reply.headers });
  };
}

export async function runTsScript(code: string, caller: ScriptedCaller, options: TsRunOptions = {}): Promise<RunResult> {
  const js = (await transform(code, { loader: "ts", format: "esm", target: "es2022" })).code;
  if (/^\s*import[\s{*"']/m.test(js) || /\bimport\(/.test(js)) {
    throw new Error("generated TS has runtime imports; the stand-in only supports type-only imports");
  }
  const dir = await mkdtemp(path.join(tmpdir(), "ivr-ts-"));
  const file = path.join(dir, "flow.mjs");
  await writeFile(file, js);
  const standIn = new SessionStandIn(caller);
  const model = standIn.model;
  const realFetch = globalThis.fetch;
  let error: string | undefined;
  let exitedBy: string | undefined;
  let harnessError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (typeof mod.default !== "function") throw new Error("generated TS has no default export main(session, argv)");
    const main = mod.default as (s: SessionStandIn, argv: string[]) => Promise<void>;
    globalThis.fetch = scriptedFetch(standIn);
    vi.useFakeTimers({ toFake: ["Date"], now: model.nowMs });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HarnessError(`script did not finish within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    });
    await Promise.race([main(standIn, caller.argv ?? []), timeout]);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    if (e instanceof ScriptExit) exitedBy = e.how;
    if (e instanceof HarnessError) harnessError = e.message;
  } finally {
    clearTimeout(timer);
    vi.useRealTimers();
    globalThis.fetch = realFetch;
    await rm(dir, { recursive: true, force: true });
  }
  return {
    language: "ts",
    trace: model.trace,
    path: model.path,
    events: model.events,
    vars: Object.fromEntries(model.vars),
    unusedActions: model.unusedActions,
    error,
    exitedBy,
    harnessError: harnessError ?? model.harnessError,
    output: "",
  };
}
