import { it } from "vitest";
import { readFileSync } from "node:fs";
import { loadFlow } from "../../flow";
import { runLua, runTs } from "../support/run-flow";
import { SCENARIOS } from "./scenarios";
it("dbg", async () => {
  for (const [ex, idx] of [["dial-by-extension", 0], ["voicemail", 1], ["voicemail", 3]] as const) {
    const flow = loadFlow(JSON.parse(readFileSync(`examples/${ex}.json`, "utf8")));
    const sc = SCENARIOS[ex][idx];
    const r = await runTs(flow, sc.caller);
    console.log(ex, sc.name, r.path.join(" "), r.error, JSON.stringify(r.unusedActions), JSON.stringify(r.events.slice(-6)));
  }
  const flow = loadFlow(JSON.parse(readFileSync(`examples/main-menu.json`, "utf8")));
  const r = await runLua(flow, { actions: Array.from({ length: 12 }, () => ({ noinput: true as const })) });
  console.log(r.path.join(" "), r.harnessError, JSON.stringify(r.unusedActions));
});
