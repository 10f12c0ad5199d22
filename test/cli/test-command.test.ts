// `ivr test`: every example's own test cases pass in Lua and TS on the runtime's hosts; a case
// whose expectation is wrong fails with the first divergence named; bad input exits 2.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectOneErrorLine, REPO, runIvr } from "./run-cli";

const EXAMPLES = readdirSync(path.join(REPO, "examples")).filter((f) => f.endsWith(".json")).sort();
const dir = mkdtempSync(path.join(tmpdir(), "ivr-test-cmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function example(name: string): Record<string, unknown> & { tests: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(path.join(REPO, "examples", name), "utf8"));
}

function writeFlow(name: string, doc: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe("ivr test on the examples", () => {
  it.each(EXAMPLES)("%s: every case passes in Lua and TS", async (name) => {
    const doc = example(name);
    expect(doc.tests.length).toBeGreaterThanOrEqual(3);
    const r = await runIvr(["test", `examples/${name}`, "--json"]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; results: Array<{ name: string; language: string; passed: boolean; failure?: string }> };
    expect(out.results.filter((x) => !x.passed)).toEqual([]);
    expect(out.passed).toBe(doc.tests.length * 2);
    expect(new Set(out.results.map((x) => x.language))).toEqual(new Set(["lua", "ts"]));
    expect(r.code).toBe(0);
  }, 120_000);
});

describe("failing cases", () => {
  it("a wrong expected path fails with the first divergence and the digits before it; exit 1", async () => {
    const doc = example("business-hours.json");
    const sales = doc.tests.find((t) => t.name === "open: caller picks sales")!;
    const wrong = { ...sales, name: "expects support after 1", expect: { path: ["start", "answer", "welcome", "check_hours", "open_menu", "to_support"] } };
    const file = writeFlow("bh-wrong.json", { ...doc, tests: [sales, wrong] });
    const r = await runIvr(["test", file, "--lang", "ts"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("PASS open: caller picks sales");
    expect(lines[1]).toBe('FAIL expects support after 1: expected node to_support, got node to_sales after digits "1"');
    expect(lines[2]).toMatch(/1 passed, 1 failed$/);
  }, 60_000);

  it("the clock decides the branch: the same caller on a Sunday night is closed, in Lua too", async () => {
    const doc = example("business-hours.json");
    const sales = doc.tests.find((t) => t.name === "open: caller picks sales")!;
    const sunday = { ...sales, name: "sunday", clock: { at: "2026-12-07T04:30:00Z", zone: "America/New_York" } };
    const file = writeFlow("bh-sunday.json", { ...doc, tests: [sunday] });
    const r = await runIvr(["test", file, "--lang", "lua"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL sunday: expected node open_menu, got node closed_message before any digit");
  }, 60_000);

  it("a wrong hangup cause, variable and unused caller step are reported", async () => {
    const doc = example("pin-entry.json");
    const cases = [
      { name: "cause", caller: [{ press: "1111#" }, { press: "2222#" }, { press: "3333#" }], expect: { hangupCause: "NORMAL_CLEARING" } },
      { name: "variable", caller: [{ press: "4321#" }], expect: { variables: { attempts: "2" } } },
      { name: "unused", caller: [{ press: "4321#" }, { press: "1" }], expect: { finalNode: "to_account" } },
    ];
    const r = await runIvr(["test", writeFlow("pin-wrong.json", { ...doc, tests: cases }), "--lang", "ts"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL cause: expected hangup cause NORMAL_CLEARING, got CALL_REJECTED");
    expect(r.stdout).toContain('FAIL variable: expected variable attempts = "2", got "0"');
    expect(r.stdout).toContain('FAIL unused: the call ended before caller step press "1"');
  }, 60_000);

  it("a bridge that fails with a cause: the flow takes the failed branch, with FreeSWITCH's variables", async () => {
    const doc = example("dial-by-extension.json");
    const tc = {
      name: "rejected",
      caller: [{ press: "1001" }, { hangup: true, atNode: "invalid_extension" }],
      bridges: [{ to: "1001", outcome: "failed", cause: "CALL_REJECTED", ringMs: 0 }],
      expect: { path: ["start", "answer", "reset_attempts", "ask_extension", "connecting", "dial_extension", "invalid_extension"], variables: { originate_disposition: "CALL_REJECTED", originate_failed_cause: "CALL_REJECTED", DIALSTATUS: "DONTCALL" } },
    };
    const r = await runIvr(["test", writeFlow("bridge-rejected.json", { ...doc, tests: [tc] })]);
    expect(r.stdout).toContain("PASS [lua] rejected");
    expect(r.stdout).toContain("PASS [ts] rejected");
    expect(r.code).toBe(0);
  }, 60_000);

  it("--case runs one case", async () => {
    const r = await runIvr(["test", "examples/http-lookup.json", "--case", "CRM unreachable goes to the operator", "--lang", "ts"]);
    expect(r.stdout.trim().split("\n")).toEqual(["PASS CRM unreachable goes to the operator", "examples/http-lookup.json: 1 passed, 0 failed"]);
    expect(r.code).toBe(0);
  }, 60_000);
});

describe("bad input exits 2 with one line", () => {
  it.each([
    [["test"], /needs a flow file/],
    [["test", "examples/nope.json"], /no such file/],
    [["test", "examples/main-menu.json", "--lang", "py"], /--lang must be lua or ts/],
    [["test", "examples/main-menu.json", "--case", "nope"], /no test case named "nope"/],
  ])("%j", async (args, message) => {
    const r = await runIvr(args as string[]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(message);
  });

  it("a flow without cases, and a case with a malformed step", async () => {
    const doc = example("voicemail.json");
    const none = await runIvr(["test", writeFlow("none.json", { ...doc, tests: undefined })]);
    expect(none.code).toBe(2);
    expect(expectOneErrorLine(none)).toMatch(/has no test cases/);
    const bad = await runIvr(["test", writeFlow("bad.json", { ...doc, tests: [{ name: "x", caller: [{ press: "12x" }], expect: { finalNode: "hangup" } }] })]);
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad)).toMatch(/tests\.0\.caller\.0/);
  });

  it("a bridge stub with a cause FreeSWITCH does not have", async () => {
    const doc = example("dial-by-extension.json");
    const tc = { name: "x", caller: [{ press: "1001" }], bridges: [{ outcome: "failed", cause: "NOT_A_CAUSE" }], expect: { finalNode: "hangup" } };
    const r = await runIvr(["test", writeFlow("bad-bridge.json", { ...doc, tests: [tc] })]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/tests\.0\.bridges\.0\.cause.*hangup cause name/);
  });
});
