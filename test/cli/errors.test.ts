// Bad input of every kind: one clear line on stderr, exit 2, never a stack trace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectOneErrorLine, runIvr } from "./run-cli";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ivr-cli-errors-"));
  writeFileSync(join(dir, "broken.json"), '{\n  "schemaVersion": 1,\n  "nodes": [ }\n');
  writeFileSync(join(dir, "empty.json"), "");
  writeFileSync(join(dir, "wrong-schema.json"), JSON.stringify({ schemaVersion: 1, nodes: [{ kind: "play" }] }));
  writeFileSync(join(dir, "future.json"), JSON.stringify({ schemaVersion: 99, nodes: [] }));
  writeFileSync(join(dir, "array.json"), "[1, 2]");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent("ivr on bad input", () => {
  it("names the line and column of a JSON syntax error", async () => {
    const r = await runIvr(["validate", join(dir, "broken.json")]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/broken\.json: not valid JSON \(unexpected '}'.* at line 3, column 14\)$/);
    expect(r.stdout).toBe("");
  });

  it("reports an empty file as invalid JSON", async () => {
    const r = await runIvr(["generate", join(dir, "empty.json")]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/empty\.json: not valid JSON \(unexpected end of file/);
  });

  it("reports a document that does not match the flow schema", async () => {
    const r = await runIvr(["validate", join(dir, "wrong-schema.json")]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/wrong-schema\.json: Not a valid flow document: nodes\.0\.id/);
  });

  it("refuses documents from a newer schema and non-objects", async () => {
    const [future, array] = await Promise.all([
      runIvr(["validate", join(dir, "future.json")]),
      runIvr(["validate", join(dir, "array.json")]),
    ]);
    expect(future.code).toBe(2);
    expect(expectOneErrorLine(future)).toMatch(/schema 99/);
    expect(array.code).toBe(2);
    expect(expectOneErrorLine(array)).toMatch(/must be a JSON object/);
  });

  it("reports a missing file and a folder", async () => {
    const [missing, folder] = await Promise.all([
      runIvr(["validate", join(dir, "nope.json")]),
      runIvr(["export", dir, "-o", join(dir, "out")]),
    ]);
    expect(missing.code).toBe(2);
    expect(expectOneErrorLine(missing)).toMatch(/nope\.json: no such file$/);
    expect(folder.code).toBe(2);
    expect(expectOneErrorLine(folder)).toMatch(/is a folder/);
  });

  it("rejects unknown commands, unknown options and missing values", async () => {
    const [cmd, opt, val, lang, noFile] = await Promise.all([
      runIvr(["frobnicate"]),
      runIvr(["validate", "examples/main-menu.json", "--bogus"]),
      runIvr(["generate", "examples/main-menu.json", "--lang"]),
      runIvr(["generate", "examples/main-menu.json", "--lang", "python"]),
      runIvr(["validate"]),
    ]);
    for (const r of [cmd, opt, val, lang, noFile]) expect(r.code).toBe(2);
    expect(expectOneErrorLine(cmd)).toBe("ivr: unknown command 'frobnicate' (see: ivr --help)");
    expect(expectOneErrorLine(opt)).toMatch(/unknown option --bogus for 'validate'/);
    expect(expectOneErrorLine(val)).toMatch(/option --lang needs a value/);
    expect(expectOneErrorLine(lang)).toMatch(/--lang must be lua or ts, got 'python'/);
    expect(expectOneErrorLine(noFile)).toMatch(/'validate' needs a flow file/);
  });

  it("export requires an output folder", async () => {
    const r = await runIvr(["export", "examples/main-menu.json"]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/needs an output folder: -o DIR/);
  });

  it("serve without a route, or with a bad one, is one clear line", async () => {
    const r = await runIvr(["serve"]);
    expect(r.code).toBe(2);
    expect(expectOneErrorLine(r)).toMatch(/needs at least one --route NUMBER=SCRIPT/);
    const bad = await runIvr(["serve", "--route", "1000=menu.txt"]);
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad)).toMatch(/not a \.ts, \.js, \.lua or \.json file/);
    const ports = await runIvr(["serve", "--route", "1000=x.lua", "--rtp-ports", "9-1"]);
    expect(expectOneErrorLine(ports)).toMatch(/--rtp-ports must be MIN-MAX/);
  });

  it("serve with a bad --gateway or --user is one clear line", async () => {
    const gw = await runIvr(["serve", "--route", "1000=x.lua", "--gateway", "carrier"]);
    expect(gw.code).toBe(2);
    expect(expectOneErrorLine(gw)).toMatch(/gateway 'carrier': expected NAME=HOST:PORT/);
    const opt = await runIvr(["serve", "--route", "1000=x.lua", "--gateway", "carrier=sip.example.com;allow=1(800)"]);
    expect(expectOneErrorLine(opt)).toMatch(/allow pattern '1\(800\)': unexpected '\('/);
    const user = await runIvr(["serve", "--route", "1000=x.lua", "--user", "1000:short"]);
    expect(expectOneErrorLine(user)).toMatch(/user 1000: the password needs at least 8 characters/);
    const env = await runIvr(["serve", "--route", "1000=x.lua", "--user", "1000:env:IVR_TEST_SURELY_UNSET"]);
    expect(expectOneErrorLine(env)).toMatch(/IVR_TEST_SURELY_UNSET is not set/);
  });
});

describe("ivr help", () => {
  it("prints the command list with --help and exits 0; with no command exits 2", async () => {
    const [help, none, sub, flag] = await Promise.all([
      runIvr(["--help"]),
      runIvr([]),
      runIvr(["help", "export"]),
      runIvr(["generate", "--help"]),
    ]);
    expect(help.code).toBe(0);
    for (const c of ["validate", "generate", "export", "serve"]) expect(help.stdout).toContain(c);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage: ivr <command>");
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--media DIR");
    expect(flag.code).toBe(0);
    expect(flag.stdout).toContain("--lang lua|ts");
  });
});
