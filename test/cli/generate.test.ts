// ivr generate: script on stdout or in a file; an invalid flow is refused with its diagnostics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runIvr } from "./run-cli";
import { BROKEN_FLOW } from "./broken-flow";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ivr-cli-generate-"));
  writeFileSync(join(dir, "broken.json"), JSON.stringify(BROKEN_FLOW));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ivr generate", () => {
  it("prints Lua that lua5.3 loads, and -o FILE writes the same text", async () => {
    const out = join(dir, "out", "main_menu.lua");
    const [stdout, file] = await Promise.all([
      runIvr(["generate", "examples/main-menu.json", "--lang", "lua", "--version", "7"]),
      runIvr(["generate", "examples/main-menu.json", "--lang", "lua", "--version", "7", "-o", out]),
    ]);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toContain("session:");
    expect(stdout.stdout).toContain("main_menu");
    expect(stdout.stdout).toMatch(/^-- Flow version: 7\b/m);
    expect(file.code).toBe(0);
    expect(file.stdout).toBe("");
    expect(file.stderr).toMatch(/wrote .*main_menu\.lua \(lua, \d+ lines\)/);
    expect(readFileSync(out, "utf8").trimEnd()).toBe(stdout.stdout.trimEnd());
    execFileSync("lua5.3", ["-e", `assert(loadfile(${JSON.stringify(out)}))`], { timeout: 10_000 });
  });

  it("prints TypeScript with --lang ts, and picks ts from a .ts output name", async () => {
    const out = join(dir, "pin.ts");
    const [stdout, file] = await Promise.all([
      runIvr(["generate", "examples/pin-entry.json", "--lang", "ts"]),
      runIvr(["generate", "examples/pin-entry.json", "-o", out]),
    ]);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toMatch(/await session\./);
    expect(stdout.stdout).not.toMatch(/session:\w+\(/); // no Lua method calls
    expect(file.code).toBe(0);
    expect(readFileSync(out, "utf8").trimEnd()).toBe(stdout.stdout.trimEnd());
  });

  it("refuses an invalid flow with its diagnostics on stderr and exit 1", async () => {
    const out = join(dir, "never.lua");
    const r = await runIvr(["generate", join(dir, "broken.json"), "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/broken\.json: error IVR1017 \[node ask_account, outcome 1\]/);
    expect(r.stderr).toMatch(/broken\.json: warning IVR1005 \[node ask_account, outcome 2\]/);
    expect(r.stderr).toMatch(/not generated, the flow has errors/);
    expect(() => readFileSync(out)).toThrow();
  });
});
