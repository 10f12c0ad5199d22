// Validator speed: `npx tsx bench/validate/run.ts`. Budget: a 500-node flow well under 50 ms.
import { validate } from "../../flow";
import { largeFlow } from "../../fixtures/large-flow";

const options = { authorIsAdmin: true, httpAllowList: ["*.example.com"] };
for (const blocks of [10, 72, 300]) {
  const flow = largeFlow(blocks);
  for (let i = 0; i < 30; i++) validate(flow, options); // warm up (JIT, zone cache)
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    const ds = validate(flow, options);
    times.push(performance.now() - t0);
    if (ds.length) throw new Error(`expected a clean flow, got ${ds.length} diagnostics: ${ds[0].message}`);
  }
  times.sort((a, b) => a - b);
  const cold = (() => {
    const t0 = performance.now();
    validate(largeFlow(blocks), options);
    return performance.now() - t0;
  })();
  console.log(
    `${flow.nodes.length} nodes, ${flow.edges.length} edges: median ${times[50].toFixed(2)} ms, ` +
      `p90 ${times[90].toFixed(2)} ms, max ${times[99].toFixed(2)} ms (fresh flow ${cold.toFixed(2)} ms)`,
  );
}
