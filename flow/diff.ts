// A readable change list between two flow documents (published versions, or a version and
// the draft). Pure; node positions are layout, not behaviour, so they are ignored.
import { specOf } from "./catalog";
import type { FlowEdge, FlowGraph, FlowNode } from "./graph";

export type FlowChangeType =
  | "node_added"
  | "node_removed"
  | "param_changed"
  | "label_changed"
  | "edge_added"
  | "edge_removed"
  | "settings_changed"
  /** A test case added, removed or edited (cases are versioned with the flow; they never change how it runs). */
  | "test_case_changed";

export interface FlowChange {
  type: FlowChangeType;
  nodeId?: string;
  param?: string;
  before?: unknown;
  after?: unknown;
  /** One sentence for the version history. */
  text: string;
}

type Doc = Pick<FlowGraph, "nodes" | "edges"> & Partial<Pick<FlowGraph, "name" | "description" | "settings" | "tests">>;

/** Stable JSON (sorted object keys) so key order never shows up as a change. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "undefined";
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Short display of a value inside a sentence. */
function show(v: unknown): string {
  if (v === undefined) return "(unset)";
  const s = typeof v === "string" ? JSON.stringify(v) : canonical(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function nodeName(n: FlowNode): string {
  const kindLabel = specOf(n.kind)?.label ?? n.kind;
  return n.label ? `"${n.label}" (${kindLabel})` : `${kindLabel} ${n.id}`;
}

const edgeKey = (e: FlowEdge) => `${e.source}\u0000${e.outcome}\u0000${e.target}`;

export function diffFlows(before: Doc, after: Doc): FlowChange[] {
  const changes: FlowChange[] = [];
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const nameOf = (id: string) => {
    const n = newNodes.get(id) ?? oldNodes.get(id);
    return n ? nodeName(n) : id;
  };

  for (const [key, label] of [
    ["name", "Name"],
    ["description", "Description"],
  ] as const) {
    if (before[key] !== undefined && after[key] !== undefined && before[key] !== after[key]) {
      changes.push({ type: "settings_changed", param: key, before: before[key], after: after[key], text: `${label} changed from ${show(before[key])} to ${show(after[key])}` });
    }
  }
  // Like name and description, settings are compared only when both sides have them: against
  // an empty document (a flow's first version) every default would read "changed from (unset)".
  const oldSettings = (before.settings ?? {}) as Record<string, unknown>;
  const newSettings = (after.settings ?? {}) as Record<string, unknown>;
  const settingKeys = before.settings && after.settings ? [...new Set([...Object.keys(oldSettings), ...Object.keys(newSettings)])] : [];
  for (const key of settingKeys.sort()) {
    if (!same(oldSettings[key], newSettings[key])) {
      changes.push({
        type: "settings_changed",
        param: key,
        before: oldSettings[key],
        after: newSettings[key],
        text: `Flow setting ${key} changed from ${show(oldSettings[key])} to ${show(newSettings[key])}`,
      });
    }
  }

  for (const n of before.nodes) {
    const m = newNodes.get(n.id);
    if (!m || m.kind !== n.kind) changes.push({ type: "node_removed", nodeId: n.id, before: n, text: `Removed ${nodeName(n)}` });
  }
  for (const m of after.nodes) {
    const n = oldNodes.get(m.id);
    if (!n || n.kind !== m.kind) {
      changes.push({ type: "node_added", nodeId: m.id, after: m, text: `Added ${nodeName(m)}` });
      continue;
    }
    if (n.label !== m.label) {
      changes.push({ type: "label_changed", nodeId: m.id, before: n.label, after: m.label, text: `Renamed ${nodeName(n)} to ${show(m.label)}` });
    }
    const keys = [...new Set([...Object.keys(n.params), ...Object.keys(m.params)])].sort();
    for (const k of keys) {
      if (!same(n.params[k], m.params[k])) {
        changes.push({
          type: "param_changed",
          nodeId: m.id,
          param: k,
          before: n.params[k],
          after: m.params[k],
          text: `${nodeName(m)}: ${k} changed from ${show(n.params[k])} to ${show(m.params[k])}`,
        });
      }
    }
  }

  const oldEdges = new Map(before.edges.map((e) => [edgeKey(e), e]));
  const newEdges = new Map(after.edges.map((e) => [edgeKey(e), e]));
  for (const [k, e] of oldEdges) {
    if (!newEdges.has(k)) {
      changes.push({ type: "edge_removed", nodeId: e.source, param: e.outcome, before: e, text: `Disconnected ${nameOf(e.source)} --${e.outcome}--> ${nameOf(e.target)}` });
    }
  }
  for (const [k, e] of newEdges) {
    if (!oldEdges.has(k)) {
      changes.push({ type: "edge_added", nodeId: e.source, param: e.outcome, after: e, text: `Connected ${nameOf(e.source)} --${e.outcome}--> ${nameOf(e.target)}` });
    }
  }

  // Test cases, by name (a renamed case reads as one removed and one added).
  const oldCases = new Map((before.tests ?? []).map((t) => [t.name, t]));
  const newCases = new Map((after.tests ?? []).map((t) => [t.name, t]));
  for (const [name, t] of oldCases) {
    if (!newCases.has(name)) changes.push({ type: "test_case_changed", param: name, before: t, text: `Removed test case ${show(name)}` });
  }
  for (const [name, t] of newCases) {
    const was = oldCases.get(name);
    if (!was) changes.push({ type: "test_case_changed", param: name, after: t, text: `Added test case ${show(name)}` });
    else if (!same(was, t)) changes.push({ type: "test_case_changed", param: name, before: was, after: t, text: `Changed test case ${show(name)}` });
  }
  return changes;
}
