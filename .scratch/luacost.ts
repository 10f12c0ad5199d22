import { LuaHost } from "../runtime/host/lua-host";
import { makeSession } from "../test/session/fakes";
const host = new LuaHost({ globals: new Map(), log: () => {}, api: async () => "" });
const N = 200;
for (let i = 0; i < 20; i++) { const t = makeSession(); await host.run({ name: "x.lua", code: "session:answer()" }, t.session, []); }
const t0 = performance.now();
for (let i = 0; i < N; i++) { const t = makeSession(); await host.run({ name: "x.lua", code: "session:answer()" }, t.session, []); }
console.log("per call ms", ((performance.now() - t0) / N).toFixed(2));
