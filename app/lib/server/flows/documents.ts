// Flow documents coming in: blank, from an example template, or uploaded JSON. Every one goes
// through loadFlow() so a bad document is refused with a readable message and nothing is saved.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { defaultParams } from "../../../../flow/catalog";
import { FlowLoadError, loadFlow, SCHEMA_VERSION, type FlowGraph } from "../../../../flow/graph";
import { invalid, tooLarge } from "../http";
import { readLimits, tooManyNodesMessage } from "../limits";
import { examplesDir } from "../paths";

export function parseGraph(raw: unknown, what = "The flow document"): FlowGraph {
  // Counted before the schema walks the document: a huge graph is refused in O(1).
  const nodes = (raw as { nodes?: unknown } | null)?.nodes;
  const { maxFlowNodes } = readLimits();
  if (Array.isArray(nodes) && nodes.length > maxFlowNodes) throw tooLarge(tooManyNodesMessage(what, nodes.length, maxFlowNodes));
  try {
    return loadFlow(raw);
  } catch (e) {
    if (e instanceof FlowLoadError) throw invalid(`${what} was refused. ${e.message}`, { issues: e.issues });
    throw e;
  }
}

export function blankGraph(name: string, description = ""): FlowGraph {
  return loadFlow({
    schemaVersion: SCHEMA_VERSION,
    name,
    description,
    nodes: [{ id: "start", kind: "start", label: "Start", params: defaultParams("start"), position: { x: 0, y: 0 } }],
    edges: [],
  });
}

const TEMPLATE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function loadTemplate(template: string): FlowGraph {
  if (!TEMPLATE_RE.test(template)) throw invalid(`"${template}" is not a template name.`);
  const file = path.join(examplesDir(), `${template}.json`);
  if (!existsSync(file)) throw invalid(`There is no example template named "${template}".`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw invalid(`The example template "${template}" is not valid JSON (${(e as Error).message}).`);
  }
  return parseGraph(raw, `The example template "${template}"`);
}

/** The document as stored: the flow's name and description are the row's. */
export const withIdentity = (graph: FlowGraph, name: string, description: string): FlowGraph => ({ ...graph, name, description });
