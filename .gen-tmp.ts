import { readFileSync } from "node:fs";
import { loadFlow } from "./flow";
import { generate } from "./generators";
const f = loadFlow(JSON.parse(readFileSync(process.argv[2], "utf8")));
const r = generate(f, (process.argv[3] ?? "lua") as "lua", { validate: { authorIsAdmin: true } });
process.stdout.write(r.code);
console.error(JSON.stringify(r.map));
