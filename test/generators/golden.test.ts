// Golden files: the generated Lua, TypeScript and line maps of the fixtures and of every
// examples/*.json, compared byte for byte with test/golden/. `npm run golden:accept`
// (IVR_ACCEPT_GOLDEN=1) writes them; without it a missing golden (a new example) fails, so
// nothing passes without a golden someone looked at.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../../generators";
import type { FlowGraph } from "../../flow";
import { ADMIN, exampleFlows, FIXTURES, kitchenSink, loadJsonFlow, REPO } from "./support/flows";

const GOLDEN = join(REPO, "test/golden");
const ACCEPT = process.env.IVR_ACCEPT_GOLDEN === "1";

const cases: Array<{ name: string; flow: () => FlowGraph }> = [
  { name: "kitchen-sink", flow: kitchenSink },
  { name: "keywords", flow: () => loadJsonFlow(join(FIXTURES, "keywords.json")) },
  ...exampleFlows().map((e) => ({ name: `example-${e.name}`, flow: () => loadJsonFlow(e.path) })),
];

function check(file: string, actual: string) {
  const path = join(GOLDEN, file);
  if (ACCEPT) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `test/golden/${file} is missing; run npm run golden:accept and review it`).toBe(true);
  expect(actual, `${file} differs from its golden; run npm run golden:accept if the change is intended`).toBe(readFileSync(path, "utf8"));
}

describe("golden files", () => {
  it.each(cases)("$name", ({ name, flow }) => {
    const f = flow();
    const lua = generate(f, "lua", { ...ADMIN, flowVersion: 7 });
    const ts = generate(f, "ts", { ...ADMIN, flowVersion: 7 });
    check(`${name}.lua`, lua.code);
    check(`${name}.ts`, ts.code);
    check(`${name}.map.json`, JSON.stringify({ lua: lua.map, ts: ts.map }, null, 2) + "\n");
  });
});
