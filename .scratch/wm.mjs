import { LuaFactory } from "wasmoon";
const f = new LuaFactory();
const e = await f.createEngine({ injectObjects: false, enableProxy: true });
e.global.set("js", {
  sleep: (ms) => new Promise(r => setTimeout(() => r(42), ms)),
  obj: () => ({ a: 1, b: "x", arr: [1,2,{c:3}], n: undefined }),
  num: () => 1,
  rej: () => Promise.reject(new Error("boom")),
  args: (...a) => JSON.stringify(a.map(x => x === undefined ? "undef" : x === null ? "null" : x)),
});
const r = await e.doString(`
local v = js.sleep(30):await()
local o = js.obj()
local t = type(o)
local x = js.num()
print(math.type(x), math.type(x + 0.0), tostring(x + 0.0), _VERSION)
print("args", js.args(1, nil, "s", 2.5))
local ok, err = pcall(function() return js.rej():await() end)
print("rej", ok, err)
return v .. " " .. t .. " " .. tostring(o.a) .. " " .. tostring(o.arr and o.arr[1]) .. " " .. type(o.arr)
`);
console.log(r);
const t0 = Date.now();
try { await e.global.newThread, await e.doString("local i=0 while true do i=i+1 end"); } catch (err) { console.log("err", err.message); }
e.global.close();
