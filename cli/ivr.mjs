#!/usr/bin/env node
// The `ivr` command: registers tsx (with this repository's tsconfig, whatever the cwd)
// and runs cli/main.ts in this process, so exit codes and signals pass straight through.
import { register } from "tsx/esm/api";
import { fileURLToPath } from "node:url";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
