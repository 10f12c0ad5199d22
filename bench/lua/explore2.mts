import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "../../generators/index";
import { loadFlow } from "../../flow/graph";
import { comparableTrace } from "../../runtime/session/call-log";
import { startTestServer } from "../../test/lua-host/support/server";
const dir = mkdtempSync(path.join(tmpdir(), "gen-"));
const pick: Record<string,string> = { "main-menu": "lua-dtmf-1-2", "pin-entry": "lua-dtmf-4321-pound", voicemail: "lua-dtmf-pound-1", "dial-by-extension": "lua-dtmf-1001-pound", "http-lookup": "lua-wait-bye", "business-hours": "lua-info-1", "order-status": "lua-dtmf-12345-pound-0" };
const routes: Record<string,string> = {};
let n = 5000;
const nums: Record<string,[string,string]> = {};
for (const ex of Object.keys(pick)) {
  const flow = loadFlow(JSON.parse(readFileSync(`examples/${ex}.json`, "utf8")));
  for (const lang of ["lua", "ts"] as const) {
    const out = generate(flow, lang, { validate: { authorIsAdmin: true } });
    const f = path.join(dir, `${ex}.${lang}`); writeFileSync(f, out.code);
    routes[String(n)] = f;
  }
  nums[ex] = [String(n), String(n+1)]; n += 2;
}
// wrong: both langs got same n; fix
const ts = await startTestServer(Object.fromEntries(Object.entries(nums).flatMap(([ex,[a,b]]) => [[a, path.join(dir, `${ex}.lua`)],[b, path.join(dir, `${ex}.ts`)]])), [44800, 44899]);
for (const [ex, [a, b]] of Object.entries(nums)) {
  const L = await ts.call(pick[ex], a); const T = await ts.call(pick[ex], b);
  console.log(`==== ${ex} sipp ${L.sipp.code}/${T.sipp.code}`);
  const cl = comparableTrace(L.trace), ct = comparableTrace(T.trace);
  for (let i = 0; i < Math.max(cl.length, ct.length); i++) {
    const x = JSON.stringify(cl[i]), y = JSON.stringify(ct[i]);
    console.log(x === y ? "  = " + x + " " + ((L.trace[i] as any)?.ms ?? "") : "  L " + x + "\n  T " + y);
  }
  for (const l of L.logs) console.log("LLOG", l.level, JSON.stringify(l.message).slice(0,200));
  for (const l of T.logs) console.log("TLOG", l.level, JSON.stringify(l.message).slice(0,200));
}
await ts.stop();
