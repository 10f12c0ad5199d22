import { buildBigFlow } from "../bench/generate/big-flow";
import { generate } from "../generators";
import { validate } from "../flow";
const f = buildBigFlow(38);
for (let i = 0; i < 5; i++) generate(f, "lua");
const N = 15;
let t = performance.now(); for (let i = 0; i < N; i++) validate(f); console.log("validate", ((performance.now() - t) / N).toFixed(1));
t = performance.now(); for (let i = 0; i < N; i++) generate(f, "lua"); console.log("gen lua", ((performance.now() - t) / N).toFixed(1));
