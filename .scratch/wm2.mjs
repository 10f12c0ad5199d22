import { LuaFactory, LuaReturn, LuaTimeoutError } from "wasmoon";
const f = new LuaFactory();
const e = await f.createEngine({ injectObjects: true, enableProxy: true });
e.global.set("js", { obj: () => ({ a: 1, b: "x", arr: [1,2,{c:3}] }), sleep: (ms) => new Promise(r => setTimeout(() => r(7), ms)) });
console.log(await e.doString(`local o = js.obj() return type(o), type(o.arr), o.arr[1], o.arr[3] and o.arr[3].c, #o.arr`));
// own run loop with CPU budget
async function runBudget(code, budgetMs) {
  const th = e.global.newThread();
  th.loadString(code);
  let spent = 0, argc = 0;
  for (;;) {
    th.setTimeout(Date.now() + (budgetMs - spent));
    const t0 = performance.now();
    let res;
    try { res = th.resume(argc); } catch (err) { th.setTimeout(undefined); return "threw " + err.message; }
    spent += performance.now() - t0;
    th.setTimeout(undefined);
    if (res.result !== LuaReturn.Yield) { try { th.assertOk(res.result); } catch(err) { return "error: " + err.message + " spent=" + spent.toFixed(0) } return "ok spent=" + spent.toFixed(1); }
    if (res.resultCount > 0) { const v = th.getValue(-1); th.pop(res.resultCount); if (v instanceof Promise) await v; else await new Promise(r=>setImmediate(r)); }
    else await new Promise(r=>setImmediate(r));
    argc = 0;
  }
}
console.log(await runBudget("for i=1,3 do js.sleep(100):await() end return 1", 50));
const t0=Date.now(); console.log(await runBudget("local i=0 while true do i=i+1 end", 200), Date.now()-t0);
console.log(await runBudget("local ok, e = pcall(function() local i=0 while true do i=i+1 end end) return tostring(ok)..tostring(e)", 200));
console.log(await runBudget("error('boom at line')", 200));
e.global.close();
