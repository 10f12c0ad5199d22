// test/ and bench/ do not import each other: what both need lives in fixtures/.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|js)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Files of `from` that import (or dynamically import) anything under `to`. */
function crossings(from: string, to: string): string[] {
  const out: string[] = [];
  for (const file of sources(from)) {
    for (const m of readFileSync(file, "utf8").matchAll(/(?:from\s+|import\s*\(\s*)["']([^"']+)["']/g)) {
      if (!m[1].startsWith(".")) continue;
      const target = path.relative(ROOT, path.resolve(path.dirname(file), m[1]));
      if (target === to || target.startsWith(`${to}${path.sep}`)) out.push(`${path.relative(ROOT, file)} -> ${m[1]}`);
    }
  }
  return out;
}

describe("room boundaries", () => {
  it("test/ imports nothing from bench/, bench/ nothing from test/", () => {
    expect(crossings("test", "bench")).toEqual([]);
    expect(crossings("bench", "test")).toEqual([]);
  });
});
