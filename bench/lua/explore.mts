import { startTestServer, methods } from "../../test/lua-host/support/server";
const rec = "/tmp/lua-rec-explore.wav";
const ts = await startTestServer({
  "100": "play-and-get-digits.lua", "101": "menu.lua", operator: "operator.lua", "102": "read.lua",
  "103": `record.lua ${rec}`, "104": "say-phrase.lua", "105": "hangup-hook.lua", "106": "stream-callback.lua", "107": "variables.lua",
}, [44900, 44999]);
const runs: [string, string][] = [["lua-dtmf-123-pound","100"],["lua-info-1","101"],["lua-info-999","101"],["lua-dtmf-123-pound","102"],["lua-dtmf-1","103"],["lua-info-1","104"],["lua-caller-bye","105"],["lua-dtmf-1","106"],["lua-wait-bye","107"]];
for (const [sc, num] of runs) {
  const t0 = Date.now();
  const r = await ts.call(sc, num);
  console.log(`==== ${sc} ${num} sipp=${r.sipp.code} ${Date.now()-t0}ms`);
  if (r.sipp.code !== 0) console.log(r.sipp.stderr, r.sipp.stdout.slice(-1500));
  for (const e of r.trace) console.log(JSON.stringify({...e, ts: undefined, callId: undefined}));
  for (const l of r.logs) console.log("LOG", l.level, JSON.stringify(l.message));
}
console.log("ALL LOGS w/o callId", ts.logs.filter(l=>!l.callId));
await ts.stop();
