// Example flows prepared for a live run: prompt files created (a missing prompt makes
// FreeSWITCH's read/playAndGetDigits return at once), HTTP pointed at a local stub, and
// recordings written to a temp folder. Then generated to Lua and TS.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadFlow } from "../../../flow/graph";
import { generate } from "../../../generators/index";
import { toneWav } from "./server";

export const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples");

/** Every .wav path a flow mentions (file_string:// lists included). */
export function promptFiles(json: string): string[] {
  const out = new Set<string>();
  for (const m of json.matchAll(/"([^"]*\.wav)"/g)) {
    for (const part of m[1].replace(/^file_string:\/\//, "").split("!")) {
      if (!part.includes("${") && !part.startsWith("/") && !/^[a-z_]+:\/\//.test(part)) out.add(part);
    }
  }
  return [...out];
}

export interface PreparedExample {
  name: string;
  lua: string;
  ts: string;
}

/** Generate example <name> into dir as <name>.lua and <name>.ts. */
export function prepareExample(
  name: string,
  dir: string,
  soundsDir: string,
  replace: { httpBase: string },
): PreparedExample {
  let json = readFileSync(path.join(EXAMPLES, `${name}.json`), "utf8");
  for (const p of promptFiles(json)) {
    const file = path.join(soundsDir, p);
    mkdirSync(path.dirname(file), { recursive: true });
    toneWav(file, 0.3);
  }
  json = json.replace(/https:\/\/[a-z.]+\.example\.com/g, replace.httpBase);
  const flow = loadFlow(JSON.parse(json));
  const files = { lua: path.join(dir, `${name}.lua`), ts: path.join(dir, `${name}.ts`) };
  for (const lang of ["lua", "ts"] as const) {
    writeFileSync(files[lang], generate(flow, lang, { validate: { authorIsAdmin: true } }).code);
  }
  return { name, ...files };
}
