// The generated TypeScript of the fixtures and of every example must type-check under the
// repo's tsconfig (strict), against the real Session type from ivr-studio/runtime.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../generators";
import { ADMIN, exampleFlows, FIXTURES, kitchenSink, loadJsonFlow, REPO } from "./support/flows";

// Inside the repo (so "ivr-studio/runtime" resolves through tsconfig paths) but under
// test/**/fixtures, which the repo's own tsc run excludes.
const OUT = join(FIXTURES, `.tsc-${process.pid}`);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe("generated TypeScript", () => {
  it("type-checks under the repo tsconfig (strict)", () => {
    mkdirSync(OUT, { recursive: true });
    const flows = [
      { name: "kitchen_sink", flow: kitchenSink() },
      { name: "keywords", flow: loadJsonFlow(join(FIXTURES, "keywords.json")) },
      ...exampleFlows().map((e) => ({ name: `example_${e.name.replace(/\W/g, "_")}`, flow: loadJsonFlow(e.path) })),
    ];
    const files = flows.map(({ name, flow }) => {
      const file = join(OUT, `${name}.ts`);
      writeFileSync(file, generate(flow, "ts", ADMIN).code);
      return file;
    });
    const configPath = join(REPO, "tsconfig.json");
    const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO);
    const program = ts.createProgram({
      rootNames: files,
      options: { ...parsed.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined },
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.includes(d.file.fileName) || d.category === ts.DiagnosticCategory.Error);
    const text = diagnostics.map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(text).toEqual([]);
    expect(program.getSourceFile(join(REPO, "runtime/session/types.ts"))).toBeDefined();
  }, 60_000);
});
