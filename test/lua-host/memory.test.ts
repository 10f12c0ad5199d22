// Calls must not leave their Lua engine behind. wasmoon keeps a function in the shared wasm
// table for every CPU-budget hook; one left there per resume kept each call's whole engine
// reachable (~5 KB of JS heap per short call, growing without bound). Probe: weak references
// to every engine the host creates must be cleared by the GC once their calls have ended.
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSipp } from "../sip/sipp-harness";
import { endCause, methods, startTestServer, type TestServer } from "./support/server";

let srv: TestServer;
const engines: WeakRef<object>[] = [];

beforeAll(async () => {
  srv = await startTestServer({ "4000": "many-methods.lua" }, [44400, 44499]);
  // Record every Lua engine the host creates, weakly.
  type Engine = { global: object };
  const factory = (srv.server as unknown as { luaHost: { factory: { createEngine(...a: unknown[]): Promise<Engine> } } }).luaHost.factory;
  const create = factory.createEngine.bind(factory);
  factory.createEngine = async (...a: unknown[]) => {
    const engine = await create(...a);
    engines.push(new WeakRef(engine.global)); // the Lua state (what a leaked hook keeps)
    return engine;
  };
});
afterAll(async () => {
  await srv?.stop();
});

async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20)); // weak refs clear only after the current job
  }
}

describe.skipIf(!hasSipp)("Lua engines are released after each call", () => {
  it("no engine stays reachable once its call has ended", async () => {
    for (let i = 0; i < 4; i++) {
      const r = await srv.call("lua-wait-bye", "4000");
      expect(r.sipp.code, r.sipp.stderr).toBe(0);
      expect(methods(r.trace).filter((m) => m.method === "setVariable")).toHaveLength(40);
      expect(endCause(r.trace)).toBe("NORMAL_CLEARING");
    }
    // Each call used one engine; the host keeps up to 16 fresh ones built ahead of calls.
    expect(engines.length).toBeGreaterThanOrEqual(4);
    await collectGarbage();
    const live = engines.filter((w) => w.deref() !== undefined).length;
    expect(live).toBeLessThanOrEqual(16);
    expect(engines.length - live).toBeGreaterThanOrEqual(4);
  }, 30_000);
});
