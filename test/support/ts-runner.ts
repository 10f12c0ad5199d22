// Runs a TypeScript script (`export default async function main(session, argv)`) the way the
// runtime does (runtime/host/ts-host.ts: compiled once, run in its own isolate, fetch through
// the guarded fetch, Date on the clock) on a scripted line. The guarded fetch reaches the
// caller's scripted replies.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadTsScript, TsHost } from "../../runtime/host/ts-host";
import type { ScriptedCaller } from "./caller";
import { ScriptedLine, TEST_HTTP_HOSTS } from "./line";
import type { RunResult } from "./run-result";
import { withFetch } from "./with-fetch";

export interface TsRunOptions {
  /** Give up after this long; default 10 s. */
  timeoutMs?: number;
}

export async function runTsScript(code: string, caller: ScriptedCaller, options: TsRunOptions = {}): Promise<RunResult> {
  const line = new ScriptedLine(caller);
  const dir = await mkdtemp(path.join(tmpdir(), "ivr-ts-"));
  const file = path.join(dir, "flow.ts");
  await writeFile(file, code);
  const host = new TsHost({
    // One run per host: nothing to keep warm.
    warmIsolates: 0,
    clock: line.clock.setting,
    httpAllowList: () => TEST_HTTP_HOSTS,
    log: (level, message) => line.events.push({ type: "log", level, message }),
  });
  let error: string | undefined;
  let exitedBy: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const script = await loadTsScript(file);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(line.fail(`script did not finish within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    });
    const end = await withFetch(line.fetch, () => Promise.race([host.run(script, line.session, caller.argv ?? []), timeout]));
    if (end.kind === "exit") error = exitedBy = end.how;
    else if (end.kind === "error") error = end.message;
    else if (end.kind === "killed") error = end.reason;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    clearTimeout(timer);
    await host.close();
    await rm(dir, { recursive: true, force: true });
  }
  return {
    language: "ts",
    trace: line.trace,
    path: line.path,
    events: line.events,
    vars: line.vars,
    unusedActions: line.unusedActions,
    error,
    exitedBy,
    harnessError: line.harnessError,
    output: "",
  };
}
