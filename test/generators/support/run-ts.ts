// Runs a generated TypeScript script in this process against the FakeSession: esbuild
// strips the types, the module is imported from a temp file, and main() gets a session
// whose methods forward to the fake (callbacks are plain functions here).
import { transform } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { FakeSession } from "./fake-session";

export interface TsRun {
  done: boolean;
  error?: string;
}

export async function runTs(code: string, fake: FakeSession): Promise<TsRun> {
  const js = (await transform(code, { loader: "ts", format: "esm", target: "es2022" })).code;
  const dir = mkdtempSync(join(tmpdir(), "ivr-ts-"));
  const file = join(dir, "script.mjs");
  writeFileSync(file, js);
  const session: Record<string, (...args: unknown[]) => Promise<unknown>> = new Proxy(
    {},
    { get: (_t, method: string) => (...args: unknown[]) => fake.call(method, args) },
  );
  fake.callbacks = {
    async inputCallback(handle, digit) {
      return (handle as (...a: unknown[]) => unknown)(session, "dtmf", { digit, duration: 2000 }, undefined);
    },
    async hangupHook(handle, status) {
      return (handle as (...a: unknown[]) => unknown)(session, status, undefined);
    },
  };
  // fetch goes to the fake's HTTP handler, with the same request shape mod_curl gets.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string, init: RequestInit = {}) => {
    const headers = Object.entries((init.headers ?? {}) as Record<string, string>)
      .filter(([k]) => k !== "Content-Type")
      .map(([k, v]) => `${k}: ${v}`);
    const req = {
      url: String(url),
      json: true,
      headers,
      method: String(init.method ?? "GET").toLowerCase(),
      contentType: ((init.headers ?? {}) as Record<string, string>)["Content-Type"],
      body: typeof init.body === "string" ? init.body : undefined,
    };
    fake.curl.push(req);
    const reply = fake.opts.http?.(req) ?? { status: 404, body: "not found" };
    const nullBody = reply.status === 204 || reply.status === 205 || reply.status === 304;
    return new Response(nullBody ? null : (reply.body ?? ""), { status: reply.status });
  }) as typeof fetch;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default: (s: unknown, argv: string[]) => Promise<void> };
    await mod.default(session, []);
    return { done: true };
  } catch (err) {
    return { done: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    globalThis.fetch = realFetch;
    rmSync(dir, { recursive: true, force: true });
  }
}
