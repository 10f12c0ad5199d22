// Generator benchmark: validation and generation time of a 500-node flow, per language.
// Run: npx tsx bench/generate/run.ts [--runs N]. Prints numbers; asserts nothing about time.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { transformSync } from "esbuild";
import { validate } from "../../flow";
import { generate, type Language } from "../../generators";
import { buildBigFlow, HEAD_SIZE, SECTION_SIZE } from "../../fixtures/big-flow";

const TARGET_MS = 50;
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 21) : 21;
const WARMUP = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time<T>(fn: () => T): { ms: number; result: T } {
  for (let i = 0; i < WARMUP; i++) fn();
  const samples: number[] = [];
  let result!: T;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), result };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms${ms > TARGET_MS ? `  (over the ${TARGET_MS} ms target)` : ""}`;

const sections = Math.round((500 - HEAD_SIZE) / SECTION_SIZE);
const flow = buildBigFlow(sections);
const kinds = new Map<string, number>();
for (const n of flow.nodes) kinds.set(n.kind, (kinds.get(n.kind) ?? 0) + 1);
console.log(`Flow: ${flow.nodes.length} nodes, ${flow.edges.length} edges, ${sections} menus (median of ${RUNS} runs after ${WARMUP} warm-up)`);
console.log(`Kinds: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);

const v = time(() => validate(flow));
const errors = v.result.filter((d) => d.severity === "error");
console.log(`validate:      ${fmt(v.ms)}  ${v.result.length} diagnostic(s), ${errors.length} error(s)`);
for (const d of errors.slice(0, 5)) console.log(`  ${d.code} ${d.nodeId ?? ""} ${d.message}`);

const dir = mkdtempSync(join(tmpdir(), "ivr-bench-"));
let failed = false;
try {
  for (const lang of ["lua", "ts"] as Language[]) {
    let g;
    try {
      g = time(() => generate(flow, lang));
    } catch (e) {
      console.log(`generate ${lang}:  unavailable (${(e as Error).message})`);
      failed = true;
      continue;
    }
    const code = g.result.code;
    const lines = code.split("\n").length;
    let check: string;
    if (lang === "lua") {
      const file = join(dir, "bench.lua");
      writeFileSync(file, code);
      try {
        execFileSync("lua5.3", ["-e", `assert(loadfile(${JSON.stringify(file)}))`], { stdio: "pipe", timeout: 20_000 });
        check = "lua5.3 loadfile ok";
      } catch (e) {
        check = `lua5.3 loadfile FAILED: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
        failed = true;
      }
    } else {
      try {
        transformSync(code, { loader: "ts", format: "esm" });
        check = "esbuild parse ok";
      } catch (e) {
        check = `esbuild parse FAILED: ${(e as Error).message.split("\n")[0]}`;
        failed = true;
      }
    }
    console.log(`generate ${lang.padEnd(3)}:  ${fmt(g.ms)}  ${(code.length / 1024).toFixed(1)} KiB, ${lines} lines; ${check}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
