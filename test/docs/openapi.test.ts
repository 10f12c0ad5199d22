// The docs must match the code: docs/openapi.json lists exactly the route handlers under
// app/api (path from the folder, [id] -> {id}; the exported HTTP methods), every $ref
// resolves, and the reference lists in docs/ and the README cover what the code offers.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { API_COMMANDS } from "../../generators/lua/binding";
import { SUPPORTED_API_COMMANDS } from "../../runtime/host/fs-api";
import { SUPPORTED_APPLICATIONS } from "../../runtime/session/apps";
import { catalogTable } from "../../scripts/catalog-table";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (p: string) => readFileSync(path.join(root, p), "utf8");
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** "METHOD /api/path" for every exported handler of every app/api/** /route.ts. */
function implementedOperations(): string[] {
  const ops: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === "route.ts" || e.name === "route.js") {
        const rel = path.relative(path.join(root, "app"), path.dirname(full)).split(path.sep);
        const urlPath = "/" + rel.map((seg) => seg.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
        const source = readFileSync(full, "utf8");
        const re = /export\s+(?:const|async\s+function|function)\s+([A-Z]+)\b/g;
        for (const m of source.matchAll(re)) if (HTTP_METHODS.includes(m[1])) ops.push(`${m[1]} ${urlPath}`);
      }
    }
  };
  walk(path.join(root, "app", "api"));
  return ops.sort();
}

type Json = Record<string, unknown>;
const spec = JSON.parse(read("docs/openapi.json")) as Json;
const paths = spec.paths as Record<string, Record<string, Json>>;

function documentedOperations(): string[] {
  const ops: string[] = [];
  for (const [p, item] of Object.entries(paths)) {
    for (const key of Object.keys(item)) if (HTTP_METHODS.includes(key.toUpperCase())) ops.push(`${key.toUpperCase()} ${p}`);
  }
  return ops.sort();
}

describe("docs/openapi.json", () => {
  it("is OpenAPI 3.1 with the cookie and bearer schemes", () => {
    expect(String(spec.openapi)).toMatch(/^3\.1\.\d+$/);
    const schemes = (spec.components as Json).securitySchemes as Record<string, Json>;
    expect(schemes.cookieAuth).toMatchObject({ type: "apiKey", in: "cookie", name: "ivr_session" });
    expect(schemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("documents exactly the route handlers under app/api", () => {
    const implemented = implementedOperations();
    expect(implemented.length).toBeGreaterThan(20);
    expect(documentedOperations()).toEqual(implemented);
  });

  it("gives every operation responses, and every $ref resolves", () => {
    const refs: string[] = [];
    const collect = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") refs.push(x);
          else collect(x);
        }
      }
    };
    collect(spec);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      expect(ref.startsWith("#/")).toBe(true);
      let node: unknown = spec;
      for (const part of ref.slice(2).split("/")) node = (node as Json | undefined)?.[part];
      expect(node, `unresolved ${ref}`).toBeDefined();
    }
    for (const [p, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method.toUpperCase())) continue;
        expect(Object.keys((op.responses as Json) ?? {}).length, `${method} ${p}`).toBeGreaterThan(0);
      }
    }
  });

  it("describes the error shape and the 409 conflict with currentRevision", () => {
    const schemas = (spec.components as Json).schemas as Record<string, Json>;
    expect(schemas.Error.required).toEqual(["error", "message"]);
    expect(JSON.stringify(schemas.ConflictError)).toContain("currentRevision");
    expect(Object.keys(paths["/api/flows/{id}"].put.responses as Json)).toContain("409");
  });
});

describe("reference lists in the docs", () => {
  it("docs/runtime.md names every dialplan application execute() supports", () => {
    const doc = read("docs/runtime.md");
    for (const app of SUPPORTED_APPLICATIONS) expect(doc, app).toContain(`\`${app}\``);
  });

  it("docs/lua-host.md names every freeswitch.API() command, and the generator's list is a subset", () => {
    const doc = read("docs/lua-host.md");
    for (const cmd of SUPPORTED_API_COMMANDS) expect(doc, cmd).toContain(`\`${cmd}\``);
    for (const cmd of API_COMMANDS) expect(SUPPORTED_API_COMMANDS as readonly string[]).toContain(cmd);
  });

  it("README.md carries the current node catalog table (npx tsx scripts/catalog-table.ts)", () => {
    expect(read("README.md")).toContain(catalogTable());
  });

  it("README.md and docs/ link only to files that exist", () => {
    for (const file of ["README.md", "docs/runtime.md", "docs/lua-host.md"]) {
      const base = path.dirname(path.join(root, file));
      for (const m of read(file).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(m[1])) continue;
        expect(() => readFileSync(path.resolve(base, m[1])), `${file} -> ${m[1]}`).not.toThrow();
      }
    }
  });
});
