// diffFlows: the readable change list shown in the version history.
import { describe, expect, it } from "vitest";
import { diffFlows } from "../../flow/diff";
import { loadFlow } from "../../flow/graph";

const base = loadFlow({
  schemaVersion: 1,
  name: "Demo",
  nodes: [
    { id: "start", kind: "start", label: "Start", params: {} },
    { id: "hello", kind: "play", label: "Hello", params: { file: "a.wav" } },
    { id: "bye", kind: "hangup", label: "Bye", params: {} },
  ],
  edges: [
    { source: "start", outcome: "next", target: "hello" },
    { source: "hello", outcome: "next", target: "bye" },
  ],
});

describe("diffFlows", () => {
  it("finds nothing between equal documents, ignoring positions and key order", () => {
    const moved = { ...base, nodes: base.nodes.map((n) => ({ ...n, position: { x: 99, y: 99 }, params: { ...n.params } })) };
    expect(diffFlows(base, moved)).toEqual([]);
  });

  it("lists added and removed nodes, label and param changes, and edges", () => {
    const after = {
      ...base,
      settings: { ...base.settings, ttsVoice: "slt" as const },
      nodes: [
        base.nodes[0],
        { ...base.nodes[1], label: "Welcome", params: { file: "b.wav" } },
        { id: "menu", kind: "menu", label: "Menu", params: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { source: "start", outcome: "next", target: "hello" },
        { source: "hello", outcome: "next", target: "menu" },
      ],
    };
    const changes = diffFlows(base, after);
    expect(changes.map((c) => [c.type, c.nodeId ?? c.param])).toEqual([
      ["settings_changed", "ttsVoice"],
      ["node_removed", "bye"],
      ["label_changed", "hello"],
      ["param_changed", "hello"],
      ["node_added", "menu"],
      ["edge_removed", "hello"],
      ["edge_added", "hello"],
    ]);
    const texts = changes.map((c) => c.text);
    expect(texts).toContain('Removed "Bye" (Hangup)');
    expect(texts).toContain('Renamed "Hello" (Play) to "Welcome"');
    expect(texts).toContain('"Welcome" (Play): file changed from "a.wav" to "b.wav"');
    expect(texts).toContain('Added "Menu" (Menu)');
    expect(texts).toContain('Connected "Welcome" (Play) --next--> "Menu" (Menu)');
    expect(changes.find((c) => c.type === "param_changed")).toMatchObject({ param: "file", before: "a.wav", after: "b.wav" });
  });

  it("treats a node whose kind changed as removed and added", () => {
    const after = { ...base, nodes: base.nodes.map((n) => (n.id === "bye" ? { ...n, kind: "transfer" } : n)) };
    expect(diffFlows(base, after).map((c) => c.type)).toEqual(["node_removed", "node_added"]);
  });

  it("lists a first version (against an empty document) as added content, not changed settings", () => {
    const changes = diffFlows({ nodes: [], edges: [] }, base);
    expect(changes.map((c) => c.type)).toEqual(["node_added", "node_added", "node_added", "edge_added", "edge_added"]);
    expect(changes.map((c) => c.text).join("\n")).not.toContain("(unset)");
  });

  it("reports flow name and description changes", () => {
    const changes = diffFlows(base, { ...base, name: "Renamed", description: "New" });
    expect(changes.map((c) => c.param)).toEqual(["name", "description"]);
    expect(changes[0].text).toBe('Name changed from "Demo" to "Renamed"');
  });

  it("lists test cases added, removed and edited, by name (versioned with the flow)", () => {
    const a = { name: "a", caller: [], expect: { hangupCause: "NORMAL_CLEARING" } };
    const b = { name: "b", caller: [{ press: "1" }], expect: { finalNode: "bye" } };
    const before = { ...base, tests: [a, b] };
    const after = { ...base, tests: [{ ...b, caller: [{ press: "2" }] }, { ...a, name: "c" }] };
    expect(diffFlows(before, after).map((c) => [c.type, c.text])).toEqual([
      ["test_case_changed", 'Removed test case "a"'],
      ["test_case_changed", 'Changed test case "b"'],
      ["test_case_changed", 'Added test case "c"'],
    ]);
    expect(diffFlows(before, { ...base, tests: [{ ...b }, { ...a }] })).toEqual([]);
  });
});
