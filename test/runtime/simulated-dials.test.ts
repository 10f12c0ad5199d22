// The simulator's dials without a browser or socket: SimulatedCall (runtime/testing/) with the
// dial setting "always busy" takes the flow's busy branch through the runtime's originate engine,
// and the transcript's dial events say the setting chose it. (Asked dials, the answered party's
// tone and its hang-up go through the WebSocket in test/api/test-run.test.ts.)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { loadFlow } from "../../flow/graph";
import { generate } from "../../generators";
import { wavHeader } from "../../runtime/media/wav";
import { SimulatedCall, type SimulatorEvent } from "../../runtime/testing/simulated-call";

const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-sim-dials-"));
// The extension prompt exists (a read whose prompt is missing returns at once, as on FreeSWITCH): 0.3 s of silence.
const PROMPT = path.join(dir, "sounds", "ivr", "ivr-please_enter_extension_followed_by_pound.wav");
mkdirSync(path.dirname(PROMPT), { recursive: true });
writeFileSync(PROMPT, Buffer.concat([wavHeader(8000, 4800), Buffer.alloc(4800)]));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("dials set to 'busy' in the panel: every dial is busy, the flow's busy branch runs, the transcript says the setting chose it", async () => {
  const flow = loadFlow(JSON.parse(readFileSync(path.join(__dirname, "../../examples/dial-by-extension.json"), "utf8")));
  const events: SimulatorEvent[] = [];
  const nodes = () => events.flatMap((e) => (e.type === "node" ? [e.node] : []));
  let wake = () => {};
  const call = new SimulatedCall((e) => {
    events.push(e);
    wake();
  });
  const until = async (what: () => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(events.filter((e) => e.type !== "audio").slice(-5))}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  const done = call.run({
    language: "lua",
    code: generate(flow, "lua").code,
    clock: { at: "2026-12-07T15:00:00Z", zone: "UTC" },
    dials: { mode: "busy", ringMs: 0 },
    soundsDir: path.join(dir, "sounds"),
    cacheDir: path.join(dir, "cache"),
    maxCallMs: 60_000,
  });
  // Digits once the extension is asked for (the read has started: it flushes digits typed before).
  await until(() => events.some((e) => e.type === "play" && e.source.includes("enter_extension")));
  for (const d of "1002") call.dtmf(d);
  await until(() => nodes().filter((n) => n === "ask_extension").length === 2);
  call.hangup();
  await done;
  expect(nodes()).toEqual(["start", "answer", "reset_attempts", "ask_extension", "connecting", "dial_extension", "busy_message", "ask_extension"]);
  expect(events.filter((e) => e.type === "dial")).toEqual([{ type: "dial", id: 1, to: "1002", state: "outcome", outcome: "busy", chosenBy: "setting" }]);
  // The branch follows what the originate engine set, as on FreeSWITCH.
  expect(events.find((e) => e.type === "method" && e.method === "getVariable" && e.args[0] === "originate_disposition")).toMatchObject({ result: "USER_BUSY" });
  expect(events.at(-1)).toMatchObject({ type: "end", hangupCause: "NORMAL_CLEARING", hungUpBy: "caller" });
}, 30_000);
