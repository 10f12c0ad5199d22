// Flows for generator tests: the fixtures, the examples, and a small builder.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadFlow, type FlowGraph, type FlowGraphInput } from "../../../flow";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = join(REPO, "test/generators/fixtures");
export const EXAMPLES = join(REPO, "examples");

export function loadJsonFlow(path: string): FlowGraph {
  return loadFlow(JSON.parse(readFileSync(path, "utf8")));
}

export const kitchenSink = () => loadJsonFlow(join(FIXTURES, "kitchen-sink.json"));

/** Every examples/*.json, by base name (read at call time: another room adds examples). */
export function exampleFlows(): Array<{ name: string; path: string }> {
  let files: string[] = [];
  try {
    files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json")).sort();
  } catch {
    return [];
  }
  return files.map((f) => ({ name: f.replace(/\.json$/, ""), path: join(EXAMPLES, f) }));
}

type NodeSpec = { id: string; kind: string; params?: Record<string, unknown>; label?: string };

/** A flow from nodes and [source, outcome, target] edges; settings overridable. */
export function buildFlow(
  nodes: NodeSpec[],
  edges: Array<[string, string, string]>,
  settings: Partial<FlowGraphInput["settings"]> = {},
  name = "Test flow",
): FlowGraph {
  return loadFlow({
    schemaVersion: 1,
    name,
    settings: { hangupHook: "none", ...settings },
    nodes: nodes.map((n) => ({ label: "", params: {}, ...n })),
    edges: edges.map(([source, outcome, target]) => ({ source, outcome, target })),
  });
}

/** Admin author: the fixtures contain Custom code. */
export const ADMIN = { validate: { authorIsAdmin: true } } as const;
