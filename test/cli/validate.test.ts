// ivr validate on the examples and on a flow with graph errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BROKEN_FLOW } from "./broken-flow";
import { REPO, runIvr } from "./run-cli";

const EXAMPLES = readdirSync(join(REPO, "examples")).filter((f) => f.endsWith(".json")).sort();


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ivr-cli-validate-"));
  writeFileSync(join(dir, "broken.json"), JSON.stringify(BROKEN_FLOW, null, 2));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ivr validate", () => {
  it.each(EXAMPLES)("passes examples/%s with no errors", async (file) => {
    const r = await runIvr(["validate", `examples/${file}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`examples/${file}: 0 errors, \\d+ warnings?\\n$`));
  });

  it("prints one line per diagnostic and exits 1 on errors", async () => {
    const file = join(dir, "broken.json");
    const r = await runIvr(["validate", file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    const unconnected = lines.find((l) => l.includes("IVR1005"));
    expect(unconnected).toBeDefined();
    expect(unconnected!.startsWith(`${file}: error IVR1005 [node ask_account`)).toBe(true);
    expect(lines.some((l) => l.includes("IVR1008") && l.includes("[node orphan"))).toBe(true);
    expect(lines.at(-1)).toMatch(/: [1-9]\d* errors?, \d+ warnings?$/);
  });

  it("--json prints a parseable array of diagnostics", async () => {
    const [bad, good] = await Promise.all([
      runIvr(["validate", join(dir, "broken.json"), "--json"]),
      runIvr(["validate", "examples/main-menu.json", "--json"]),
    ]);
    expect(bad.code).toBe(1);
    const ds = JSON.parse(bad.stdout) as Array<{ code: string; severity: string; nodeId?: string; outcome?: string }>;
    expect(ds.find((d) => d.code === "IVR1005")).toMatchObject({ severity: "error", nodeId: "ask_account", outcome: "2" });
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).filter((d: { severity: string }) => d.severity === "error")).toEqual([]);
  });
});
