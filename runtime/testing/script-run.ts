// Start a generated script on the runtime's own host for one session: Lua on the Lua host (its
// sandbox), TS on the TS host (an isolated-vm isolate), as calls run. Shared by the flow-test
// runner (virtual time) and the simulator (real time).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Clock, ClockSetting } from "../clock";
import { executeApi } from "../host/fs-api";
import { LuaHost } from "../host/lua-host";
import { loadTsScript, TsHost, type ScriptEnd } from "../host/ts-host";
import type { FsSession } from "../session/session";

export type ScriptLanguage = "lua" | "ts";

export interface ScriptRun {
  /** Settles when the script ends (returned, exit, error, killed). */
  done: Promise<ScriptEnd>;
  /** Stop the host (kills a script still running) and remove what it wrote. */
  close(): Promise<void>;
}

export interface StartScriptOptions {
  clock: Clock;
  clockSetting: ClockSetting;
  globals: Map<string, string>;
  log: (level: string, message: string) => void;
  /** Hosts the script's HTTP requests may reach (the fetch behind them may be stubbed). */
  httpAllowList: readonly string[];
}

export function startScript(language: ScriptLanguage, code: string, session: FsSession, o: StartScriptOptions): ScriptRun {
  if (language === "lua") {
    const host = new LuaHost({
      warmStates: 0,
      globals: o.globals,
      clock: o.clock,
      log: o.log,
      api: (cmd, args, s) => executeApi(cmd, args, s, { globals: o.globals, httpAllowList: o.httpAllowList, clock: o.clock }),
    });
    return { done: host.run({ name: "flow.lua", code }, session, []), close: async () => host.close() };
  }
  const host = new TsHost({ warmIsolates: 0, clock: o.clockSetting, httpAllowList: () => o.httpAllowList, log: o.log });
  let tmp: string | undefined;
  const done = (async () => {
    tmp = await mkdtemp(path.join(tmpdir(), "ivr-script-"));
    const file = path.join(tmp, "flow.ts");
    await writeFile(file, code);
    return host.run(await loadTsScript(file), session, []);
  })();
  return {
    done,
    close: async () => {
      await host.close();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}
