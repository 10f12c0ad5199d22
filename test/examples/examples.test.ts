// Every example flow is a designer template and a test fixture: it must load, its params
// must parse with its kind's schema, every outcome must be wired, and it must validate.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isNodeKind, loadFlow, outcomesOf, parseParams, validate, type FlowGraph } from "../../flow";

const EXAMPLES_DIR = fileURLToPath(new URL("../../examples/", import.meta.url));
const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith(".json")).sort();

function load(file: string): FlowGraph {
  return loadFlow(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), "utf8")));
}

describe("examples/", () => {
  it("holds the documented flows", () => {
    for (const f of ["main-menu", "business-hours", "voicemail", "pin-entry", "dial-by-extension", "http-lookup", "order-status"]) {
      expect(files).toContain(`${f}.json`);
    }
  });
});

describe.each(files)("examples/%s", (file) => {
  const flow = load(file);

  it("is schema version 1 with flow settings spelled out", () => {
    const raw = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), "utf8"));
    expect(raw.schemaVersion).toBe(1);
    expect(flow.settings.hangupHook).toBe("exit");
    expect(flow.settings.language).toBe("en");
    expect(flow.description.length).toBeGreaterThan(20);
  });

  it("has known kinds, labels, snake_case ids and params that parse", () => {
    const ids = new Set<string>();
    for (const node of flow.nodes) {
      expect(isNodeKind(node.kind), `${node.id}: kind ${node.kind}`).toBe(true);
      expect(node.id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(ids.has(node.id), `duplicate id ${node.id}`).toBe(false);
      ids.add(node.id);
      expect(node.label.trim(), `${node.id} has no label`).not.toBe("");
      if (isNodeKind(node.kind)) expect(parseParams(node.kind, node.params), `${node.id} params`).toBeDefined();
    }
    expect(flow.nodes.filter((n) => n.kind === "start")).toHaveLength(1);
  });

  it("connects every outcome exactly once, to an existing node", () => {
    const ids = new Set(flow.nodes.map((n) => n.id));
    for (const node of flow.nodes) {
      const keys = outcomesOf(node.kind, node.params).map((o) => o.key);
      for (const key of keys) {
        const out = flow.edges.filter((e) => e.source === node.id && e.outcome === key);
        expect(out, `${node.id}.${key}`).toHaveLength(1);
        expect(ids.has(out[0].target), `${node.id}.${key} -> ${out[0].target}`).toBe(true);
      }
      for (const edge of flow.edges.filter((e) => e.source === node.id)) {
        expect(keys, `${node.id} has an edge on unknown outcome ${edge.outcome}`).toContain(edge.outcome);
      }
    }
  });

  it("reaches every node from start", () => {
    const seen = new Set(["start"]);
    const queue = ["start"];
    while (queue.length) {
      const id = queue.shift()!;
      for (const e of flow.edges.filter((x) => x.source === id)) {
        if (!seen.has(e.target)) {
          seen.add(e.target);
          queue.push(e.target);
        }
      }
    }
    expect(flow.nodes.map((n) => n.id).filter((id) => !seen.has(id))).toEqual([]);
  });

  it("lays nodes out top to bottom without overlaps", () => {
    const start = flow.nodes.find((n) => n.kind === "start")!;
    for (const n of flow.nodes) expect(n.position.y).toBeGreaterThanOrEqual(start.position.y);
    const spots = new Set(flow.nodes.map((n) => `${n.position.x},${n.position.y}`));
    expect(spots.size).toBe(flow.nodes.length);
  });

  it("validates with no errors", () => {
    const errors = validate(flow).filter((d) => d.severity === "error");
    expect(errors).toEqual([]);
  });
});
