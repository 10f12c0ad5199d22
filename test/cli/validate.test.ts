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

describe.concurrent("ivr validate", () => {
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
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^.*broken\.json: error IVR1017 \[node ask_account, outcome 1\] .*"nowhere"/));
    expect(lines).toContainEqual(expect.stringMatching(/^.*broken\.json: error IVR1016 \[node read_pin, param minDigits\] /));
    expect(lines).toContainEqual(expect.stringMatching(/^.*broken\.json: warning IVR1005 \[node ask_account, outcome 2\] /));
    expect(lines).toContainEqual(expect.stringMatching(/^.*broken\.json: warning IVR1008 \[node orphan\] /));
    const errors = lines.filter((l) => l.includes(": error IVR")).length;
    expect(lines.at(-1)).toBe(`${file}: ${errors} errors, ${lines.length - 1 - errors} warnings`);
  });

  it("--json prints a parseable array of diagnostics", async () => {
    const [bad, good] = await Promise.all([
      runIvr(["validate", join(dir, "broken.json"), "--json"]),
      runIvr(["validate", "examples/main-menu.json", "--json"]),
    ]);
    expect(bad.code).toBe(1);
    const ds = JSON.parse(bad.stdout) as Array<{ code: string; severity: string; nodeId?: string; outcome?: string }>;
    expect(ds).toContainEqual(expect.objectContaining({ code: "IVR1017", severity: "error", nodeId: "ask_account", outcome: "1" }));
    expect(ds).toContainEqual(expect.objectContaining({ code: "IVR1005", severity: "warning", nodeId: "ask_account", outcome: "2" }));
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout).filter((d: { severity: string }) => d.severity === "error")).toEqual([]);
  });

  it("--admin allows Custom code, which is an error for other authors", async () => {
    const flow = {
      schemaVersion: 1,
      nodes: [
        { id: "start", kind: "start", label: "Start" },
        { id: "custom", kind: "custom_code", label: "Custom", params: { lua: "-- x", ts: "// x" } },
        { id: "bye", kind: "hangup", label: "Bye" },
      ],
      edges: [
        { source: "start", outcome: "next", target: "custom" },
        { source: "custom", outcome: "next", target: "bye" },
      ],
    };
    const file = join(dir, "custom.json");
    writeFileSync(file, JSON.stringify(flow));
    const [plain, admin] = await Promise.all([runIvr(["validate", file]), runIvr(["validate", file, "--admin"])]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/error IVR1013 \[node custom\]/);
    expect(admin.code).toBe(0);
    expect(admin.stdout).not.toContain("IVR1013");
  });
});
