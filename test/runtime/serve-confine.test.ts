// `ivr serve` as a process, real calls from SIPp: a flow's files stay under --sounds and
// --recordings whatever it tries at run time (Lua or TS custom code calling
// streamFile("/etc/passwd") / recordFile("/any/path.wav")); a script routed by
// hand is trusted like FreeSWITCH's scripts dir, unless --confine; a flow whose Record path
// leaves the recordings folder is refused before serving.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { CallLogEntry } from "../../runtime/session/call-log";
import { explain, hasSipp, sipp } from "./support/sipp";
import { writeScenario } from "./support/uac-scenario";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(path.join(tmpdir(), "ivr-rt-confine-"));
const sounds = path.join(dir, "sounds");
const recordings = path.join(dir, "recordings");
/** Where an escape would land: must stay empty. */
const outside = path.join(dir, "outside");
mkdirSync(sounds);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

type Node = { id: string; kind: string; params?: Record<string, unknown> };
function writeFlow(name: string, nodes: Node[]): string {
  const file = path.join(dir, `${name}.json`);
  const edges = nodes.slice(0, -1).map((n, i) => ({ source: n.id, outcome: "next", target: nodes[i + 1].id }));
  writeFileSync(file, JSON.stringify({ schemaVersion: 1, name, settings: { hangupHook: "none" }, nodes: nodes.map((n) => ({ label: "", params: {}, ...n })), edges }));
  return file;
}

const record = (id: string, p: string) => ({ id, kind: "record", params: { path: p, maxSeconds: 1, beep: false, stopKeys: "", silenceThreshold: 0 } });

/** Passes the validator, then tries to leave the roots at run time, in every way a flow can. */
const escaping = writeFlow("escaping", [
  { id: "start", kind: "start" },
  { id: "answer", kind: "answer" },
  record("keep", "vm/${caller_id_number}.wav"),
  {
    id: "code",
    kind: "custom_code",
    params: {
      lua: `session:streamFile("/etc/passwd")\nsession:recordFile("${outside}/lua.wav", 1)`,
      ts: `await session.streamFile("/etc/passwd");\nawait session.recordFile("${outside}/ts.wav", 1);`,
    },
  },
  { id: "bye", kind: "hangup" },
]);

const handScript = path.join(dir, "hand.lua");
writeFileSync(handScript, `session:answer()\nsession:recordFile(argv[1], 1)\nsession:hangup()\n`);

interface Served {
  child: ChildProcess;
  sipPort: number;
  log: string;
  stderr: () => string;
}

async function serve(name: string, args: string[]): Promise<Served> {
  const log = path.join(dir, `${name}.jsonl`);
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "cli/ivr.mjs"), "serve", "--sip", "127.0.0.1:0", "--rtp-ports", "44650-44699", "--log", log, "--sounds", sounds, "--recordings", recordings, ...args],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, IVR_STARTER_SOUNDS: "0" } },
  );
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const end = Date.now() + 25_000;
  while (!/SIP on udp 127\.0\.0\.1:\d+/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`ivr serve did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, sipPort: Number(/SIP on udp 127\.0\.0\.1:(\d+)/.exec(stderr)![1]), log, stderr: () => stderr };
}

async function stop(s: Served): Promise<void> {
  const exited = new Promise((r) => s.child.once("exit", r));
  s.child.kill("SIGTERM");
  await exited;
}

/** Call `number`, wait for the IVR's BYE; the call log's method entries of that call. */
async function callAndTrace(s: Served, number: string): Promise<Array<Extract<CallLogEntry, { method: string }>>> {
  const scenario = writeScenario(dir, `call-${number}`, { hangup: "ivr" });
  const r = await sipp(scenario, s.sipPort, number);
  expect(r.code, `${explain(r)}\n${s.stderr()}`).toBe(0);
  let entries: CallLogEntry[] = [];
  const end = Date.now() + 5000;
  for (;;) {
    entries = existsSync(s.log) ? readFileSync(s.log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    const start = entries.find((e) => "event" in e && e.event === "start" && e.to === number);
    if (start && entries.some((e) => "event" in e && e.event === "end" && e.callId === start.callId)) {
      return entries.filter((e): e is Extract<CallLogEntry, { method: string }> => "method" in e && e.callId === start.callId);
    }
    if (Date.now() > end) throw new Error(`no finished call to ${number} in the call log\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const results = (trace: Array<{ method: string; args: unknown[]; result: unknown }>, method: string) =>
  trace.filter((m) => m.method === method).map((m) => [m.args[0], m.result]);

describe("ivr serve: a flow's files stay under the sounds and recordings folders", () => {
  it("refuses to start with a flow whose Record path is absolute (IVR1021)", async () => {
    const bad = writeFlow("bad", [{ id: "start", kind: "start" }, record("rec", "/tmp/x/PWNED.wav"), { id: "bye", kind: "hangup" }]);
    const child = spawn(process.execPath, [path.join(ROOT, "cli/ivr.mjs"), "serve", "--sip", "127.0.0.1:0", "--route", `7009=${bad}`], {
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(1);
    expect(stderr).toMatch(/IVR1021 Record node "rec": File path "\/tmp\/x\/PWNED\.wav" is an absolute path/);
  }, 30_000);

  it.skipIf(!hasSipp)("Lua flow: records under --recordings, refused everywhere else; a hand-routed script is trusted", async () => {
    const s = await serve("lua", ["--flow-lang", "lua", "--route", `7000=${escaping}`, "--route", `7001=${handScript} ${outside}/hand.wav`]);
    try {
      const flow = await callAndTrace(s, "7000");
      expect(results(flow, "recordFile")).toEqual([
        [`${recordings}/vm/4155550100.wav`, 1],
        [`${outside}/lua.wav`, 0],
      ]);
      expect(results(flow, "streamFile")).toEqual([["/etc/passwd", 0]]);
      expect(existsSync(path.join(recordings, "vm/4155550100.wav"))).toBe(true);
      expect(s.stderr()).toContain(`[err] ${flow[0].callId.slice(0, 8)} Recording to "${outside}/lua.wav" refused: a flow records only under the recordings folder ${recordings}`);
      expect(s.stderr()).toMatch(/\[err\] \w+ Playing "\/etc\/passwd" refused: a flow plays files only under the sounds folder/);

      // The operator's own script, routed by hand: FreeSWITCH's trust, any path.
      const hand = await callAndTrace(s, "7001");
      expect(results(hand, "recordFile")).toEqual([[`${outside}/hand.wav`, 1]]);
      expect(existsSync(path.join(outside, "hand.wav"))).toBe(true);
      expect(existsSync(path.join(outside, "lua.wav"))).toBe(false);
    } finally {
      await stop(s);
    }
  }, 60_000);

  it.skipIf(!hasSipp)("--confine holds hand-routed scripts to the same folders; TS flows are held too", async () => {
    const s = await serve("confined", ["--confine", "--route", `7000=${escaping}`, "--route", `7001=${handScript} ${outside}/confined.wav`]);
    try {
      const hand = await callAndTrace(s, "7001");
      expect(results(hand, "recordFile")).toEqual([[`${outside}/confined.wav`, 0]]);
      expect(existsSync(path.join(outside, "confined.wav"))).toBe(false);
      expect(s.stderr()).toContain(`Recording to "${outside}/confined.wav" refused`);

      const flow = await callAndTrace(s, "7000");
      expect(results(flow, "recordFile")).toEqual([
        [`${recordings}/vm/4155550100.wav`, 1],
        [`${outside}/ts.wav`, 0],
      ]);
      expect(results(flow, "streamFile")).toEqual([["/etc/passwd", 0]]);
      expect(existsSync(path.join(outside, "ts.wav"))).toBe(false);
    } finally {
      await stop(s);
    }
  }, 60_000);
});
