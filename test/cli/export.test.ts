// ivr export: writes the bundle, copies the prompts found locally, lists the missing ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BROKEN_FLOW } from "./broken-flow";
import { runIvr } from "./run-cli";

let dir: string;
const WELCOME_BYTES = Buffer.from("RIFF-fake-welcome-prompt");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ivr-cli-export-"));
  mkdirSync(join(dir, "media", "ivr"), { recursive: true });
  writeFileSync(join(dir, "media", "ivr", "ivr-welcome_to_freeswitch.wav"), WELCOME_BYTES);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function listFiles(root: string, prefix = ""): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(root, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

describe("ivr export", () => {
  it("writes Lua, dialplan XML and README, copies found prompts and lists the missing ones", async () => {
    const out = join(dir, "bundle");
    const r = await runIvr(["export", "examples/main-menu.json", "-o", out, "--number", "5000", "--media", join(dir, "media")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);

    const files = listFiles(out);
    const lua = files.find((f) => f.endsWith(".lua"));
    const xml = files.find((f) => f.endsWith(".xml"));
    expect(lua).toBeDefined();
    expect(xml).toBeDefined();
    expect(files.some((f) => /^README/i.test(f))).toBe(true);
    expect(readFileSync(join(out, lua!), "utf8")).toContain("session:");
    expect(readFileSync(join(out, xml!), "utf8")).toContain("5000");

    // The prompt present in --media is copied byte for byte under sounds/.
    expect(readFileSync(join(out, "sounds", "ivr", "ivr-welcome_to_freeswitch.wav"))).toEqual(WELCOME_BYTES);
    // The company prompts are not anywhere locally: listed in the file and on stdout.
    const missing = readFileSync(join(out, "MISSING_PROMPTS.txt"), "utf8");
    expect(missing).toMatch(/^prompts\/acme\/main_menu\.wav$/m);
    expect(missing).toMatch(/^voicemail\/vm-not_available\.wav$/m);
    expect(missing).not.toMatch(/^ivr\/ivr-welcome_to_freeswitch\.wav/m);
    expect(r.stdout).toMatch(/missing: prompts\/acme\/main_menu\.wav \(needs a recording\)/);
    expect(r.stdout).toMatch(/missing: voicemail\/vm-not_available\.wav \(in FreeSWITCH's default sound set\)/);
    expect(r.stdout).toMatch(/1 copied into sounds\//);
  });

  it("finds prompts next to the flow file when no --media is given, and drops a stale missing list", async () => {
    const flowDir = join(dir, "flowdir");
    mkdirSync(join(flowDir, "ivr"), { recursive: true });
    mkdirSync(join(flowDir, "voicemail"), { recursive: true });
    writeFileSync(join(flowDir, "ivr", "ivr-please_enter_pin_followed_by_pound.wav"), "a");
    writeFileSync(join(flowDir, "ivr", "ivr-that_was_an_invalid_entry.wav"), "b");
    const flow = JSON.parse(readFileSync("examples/pin-entry.json", "utf8"));
    writeFileSync(join(flowDir, "pin.json"), JSON.stringify(flow));
    const out = join(dir, "pin-bundle");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "MISSING_PROMPTS.txt"), "stale\n");

    const r = await runIvr(["export", join(flowDir, "pin.json"), "-o", out], dir);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, "sounds", "ivr", "ivr-please_enter_pin_followed_by_pound.wav"))).toBe(true);
    expect(existsSync(join(out, "sounds", "ivr", "ivr-that_was_an_invalid_entry.wav"))).toBe(true);
    expect(existsSync(join(out, "MISSING_PROMPTS.txt"))).toBe(false);
    expect(r.stdout).toMatch(/2 copied into sounds\/, 0 missing/);
  });

  it("--phrases: writes the macros the flow's Phrase nodes play as lang/en/ivr/ XML, copies their prompts, refuses a bad macro", async () => {
    const flow = {
      schemaVersion: 1,
      name: "Queue line",
      nodes: [
        { id: "start", kind: "start", params: {} },
        { id: "pos", kind: "phrase", params: { name: "queue_position", data: "3" } },
        { id: "bye", kind: "hangup", params: {} },
      ],
      edges: [
        { source: "start", outcome: "next", target: "pos" },
        { source: "pos", outcome: "next", target: "bye" },
      ],
    };
    writeFileSync(join(dir, "queue.json"), JSON.stringify(flow));
    const macro = { name: "queue_position", inputs: [{ pattern: "^(\\d+)$", match: [{ type: "file", file: "ivr/ivr-welcome_to_freeswitch.wav" }, { type: "say", text: "$1", sayType: "ITEMS" }] }] };
    writeFileSync(join(dir, "phrases.json"), JSON.stringify({ phrases: [macro] }));
    const out = join(dir, "queue-bundle");
    const r = await runIvr(["export", join(dir, "queue.json"), "-o", out, "--media", join(dir, "media"), "--phrases", join(dir, "phrases.json")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const xml = readFileSync(join(out, "lang", "en", "ivr", "ivr-studio-queue.xml"), "utf8");
    expect(xml).toContain('<macro name="queue_position" pause="100">');
    expect(xml).toContain('<action function="say" data="$1" method="pronounced" type="items"/>');
    expect(readFileSync(join(out, "sounds", "ivr", "ivr-welcome_to_freeswitch.wav"))).toEqual(WELCOME_BYTES);

    writeFileSync(join(dir, "bad-phrases.json"), JSON.stringify([{ ...macro, inputs: [{ pattern: "^(\\d+$", match: macro.inputs[0].match }] }]));
    const bad = await runIvr(["export", join(dir, "queue.json"), "-o", join(dir, "bad-bundle"), "--phrases", join(dir, "bad-phrases.json")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/phrase 1 \(queue_position\): Input 1, pattern: /);
    expect(existsSync(join(dir, "bad-bundle"))).toBe(false);
  });

  it("refuses an invalid flow (exit 1, nothing written) and a bad --number (exit 2)", async () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify(BROKEN_FLOW));
    const out = join(dir, "never");
    const [bad, badNumber] = await Promise.all([
      runIvr(["export", broken, "-o", out]),
      runIvr(["export", "examples/main-menu.json", "-o", out, "--number", "50 00"]),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/broken\.json: error IVR1017 \[node ask_account, outcome 1\]/);
    expect(bad.stderr).toMatch(/not exported, the flow has errors/);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/^ivr: --number must be a dialable number/);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a flow that plays an absolute path (IVR1021): a flow's prompts are relative to the sounds folder", async () => {
    const flow = {
      schemaVersion: 1,
      name: "Absolute",
      nodes: [
        { id: "start", kind: "start", label: "Start" },
        { id: "hello", kind: "play", label: "Hello", params: { file: "/srv/sounds/hello.wav" } },
        { id: "bye", kind: "hangup", label: "Bye" },
      ],
      edges: [
        { source: "start", outcome: "next", target: "hello" },
        { source: "hello", outcome: "next", target: "bye" },
      ],
    };
    const file = join(dir, "absolute.json");
    writeFileSync(file, JSON.stringify(flow));
    const out = join(dir, "abs-bundle");
    const r = await runIvr(["export", file, "-o", out, "--media", join(dir, "media")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/IVR1021.*"\/srv\/sounds\/hello\.wav" is an absolute path; a flow's sound files are relative to the sounds folder/);
    expect(existsSync(out)).toBe(false);
  });
});
