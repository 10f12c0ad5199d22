// The designer store's change functions: the seam for undo/redo, autosave and derived data.
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../flow/graph";
import { createDesignerStore } from "../../app/designer/store";
import { parseClipboard } from "../../app/designer/clipboard";
import { nodeAtLine } from "../../app/designer/code/nodeAtLine";
import { testPattern } from "../../app/designer/form/RegexTester";
import { initialValue, hintOf, shapeOf, elementOf } from "../../app/designer/form/introspect";
import { badgesOf } from "../../app/designer/useValidation";
import { CATALOG } from "../../flow/catalog";

const graph = () =>
  loadFlow({
    schemaVersion: 1,
    name: "Test",
    nodes: [
      { id: "start", kind: "start", position: { x: 0, y: 0 } },
      { id: "menu", kind: "menu", params: { prompt: "a.wav", choices: [{ key: "1" }, { key: "2" }] }, position: { x: 0, y: 100 } },
      { id: "bye", kind: "hangup", position: { x: 0, y: 200 } },
    ],
    edges: [
      { source: "start", outcome: "next", target: "menu" },
      { source: "menu", outcome: "1", target: "bye" },
    ],
  });

const make = () => createDesignerStore({ flowId: "f1", revision: 4, graph: graph() });

describe("designer store", () => {
  it("round-trips the FlowGraph", () => {
    const g = make().getState().graph();
    expect(g.nodes.map((n) => n.id)).toEqual(["start", "menu", "bye"]);
    expect(g.edges).toEqual([
      { id: "e:start:next", source: "start", outcome: "next", target: "menu" },
      { id: "e:menu:1", source: "menu", outcome: "1", target: "bye" },
    ]);
    expect(g.nodes[1].params).toMatchObject({ prompt: "a.wav" });
  });

  it("saves the document's test cases back with it (autosave must not drop them); the highlight is never saved", () => {
    const tests = [{ name: "caller picks 1", caller: [{ press: "1" }], expect: { finalNode: "bye" } }];
    const store = createDesignerStore({ flowId: "f1", revision: 4, graph: loadFlow({ ...graph(), tests }) });
    store.getState().updateLabel("bye", "Goodbye");
    store.getState().setHighlight({ nodeId: "menu", tone: "current" });
    const g = store.getState().graph();
    expect(g.tests).toEqual([{ ...tests[0], caller: [{ press: "1" }] }]);
    expect(JSON.stringify(g)).not.toContain("highlight");
    expect(make().getState().graph().tests).toBeUndefined();
  });

  it("keeps one edge per outcome: a new connection replaces the old one", () => {
    const s = make();
    s.getState().connect({ source: "menu", sourceHandle: "1", target: "start", targetHandle: null });
    const fromOne = s.getState().edges.filter((e) => e.source === "menu" && e.sourceHandle === "1");
    expect(fromOne).toHaveLength(1);
    expect(fromOne[0].target).toBe("start");
  });

  it("undoes and redoes edits, coalescing keystrokes in one field", () => {
    const s = make();
    const v0 = s.getState().logicVersion;
    s.getState().updateParams("menu", { ...s.getState().nodes[1].data.params, prompt: "b" }, "prompt");
    s.getState().updateParams("menu", { ...s.getState().nodes[1].data.params, prompt: "bc" }, "prompt");
    s.getState().addNode("play", { x: 5, y: 5 });
    expect(s.getState().nodes).toHaveLength(4);
    expect(s.getState().logicVersion).toBeGreaterThan(v0);
    s.getState().undo();
    expect(s.getState().nodes).toHaveLength(3);
    expect(s.getState().nodes[1].data.params.prompt).toBe("bc");
    s.getState().undo();
    expect(s.getState().nodes[1].data.params.prompt).toBe("a.wav");
    s.getState().redo();
    s.getState().redo();
    expect(s.getState().nodes).toHaveLength(4);
    expect(s.getState().saveStatus).toBe("unsaved");
  });

  it("moves keep the logic version (no re-validation on drag) but need saving", () => {
    const s = make();
    const { logicVersion, docVersion } = s.getState();
    s.getState().onNodesChange([{ type: "position", id: "bye", position: { x: 50, y: 300 }, dragging: true }]);
    expect(s.getState().logicVersion).toBe(logicVersion);
    expect(s.getState().docVersion).toBe(docVersion + 1);
    expect(s.getState().graph().nodes[2].position).toEqual({ x: 50, y: 300 });
  });

  it("keeps the edge when a menu choice's digits are edited", () => {
    const s = make();
    const params = s.getState().nodes[1].data.params as { choices: Array<{ key: string }> };
    s.getState().updateParams("menu", { ...params, choices: [{ key: "7" }, { key: "2" }] }, "choices.0.key");
    expect(s.getState().graph().edges.find((e) => e.source === "menu")).toMatchObject({ outcome: "7", target: "bye" });
  });

  it("deletes the selection with its edges, as one undo step", () => {
    const s = make();
    s.getState().selectOnly(["menu"]);
    s.getState().deleteSelection();
    expect(s.getState().nodes.map((n) => n.id)).toEqual(["start", "bye"]);
    expect(s.getState().edges).toHaveLength(0);
    s.getState().undo();
    expect(s.getState().edges).toHaveLength(2);
  });

  it("pastes copies with fresh ids and internal edges, never a second Start", () => {
    const s = make();
    s.getState().selectOnly(["start", "menu", "bye"]);
    const payload = parseClipboard(JSON.stringify(s.getState().copySelection()))!;
    expect(payload.nodes).toHaveLength(3);
    s.getState().paste(payload);
    const ids = s.getState().nodes.map((n) => n.id);
    expect(ids).toEqual(["start", "menu", "bye", "menu_1", "hangup_1"]);
    expect(s.getState().edges.filter((e) => e.source === "menu_1")).toEqual([
      expect.objectContaining({ sourceHandle: "1", target: "hangup_1" }),
    ]);
    expect(s.getState().selectedNodeIds).toEqual(["menu_1", "hangup_1"]);
    expect(parseClipboard("not json")).toBeNull();
    expect(parseClipboard('{"type":"other"}')).toBeNull();
  });

  it("stops at a conflict: later edits stay in conflict", () => {
    const s = make();
    s.getState().markConflict("changed by someone");
    s.getState().rename("New name");
    expect(s.getState().saveStatus).toBe("conflict");
    s.getState().markSaved(9, s.getState().docVersion);
    expect(s.getState().saveStatus).toBe("conflict");
  });

  it("a viewer cannot edit", () => {
    const s = createDesignerStore({ flowId: "f", revision: 1, graph: graph(), readOnly: true });
    expect(s.getState().addNode("play", { x: 0, y: 0 })).toBeUndefined();
    s.getState().rename("x");
    expect(s.getState().name).toBe("Test");
  });
});

describe("designer helpers", () => {
  it("tests patterns with the generators' anchoring", () => {
    expect(testPattern("1", "1")).toBe("match");
    expect(testPattern("1", "12")).toBe("no match");
    expect(testPattern("[4-6]", "5")).toBe("match");
    expect(testPattern("*9", "*9")).toBe("match");
    expect(testPattern("7\\d", "712")).toBe("no match");
    expect(testPattern("[", "1")).toBe("invalid");
  });

  it("finds the innermost node range of a code line", () => {
    const map = { a: { start: 1, end: 20 }, b: { start: 5, end: 8 } };
    expect(nodeAtLine(map, 6)).toBe("b");
    expect(nodeAtLine(map, 2)).toBe("a");
    expect(nodeAtLine(map, 30)).toBeUndefined();
  });

  it("reads form hints and starting values from the catalog's zod schemas", () => {
    const hours = CATALOG.time_of_day.params.shape.hours;
    expect(hintOf(hours, "hours").widget).toBe("list");
    const item = elementOf(hours)!;
    expect(Object.keys(shapeOf(item)!)).toEqual(["days", "from", "to"]);
    expect(initialValue(item)).toEqual({ days: [], from: "", to: "" });
    expect(initialValue(CATALOG.menu.params.shape.tries)).toBe(3);
  });

  it("counts errors and warnings per node", () => {
    expect(
      badgesOf([
        { code: "IVR1002", severity: "error", message: "", nodeId: "a" },
        { code: "IVR1005", severity: "warning", message: "", nodeId: "a" },
        { code: "IVR1003", severity: "error", message: "" },
      ]),
    ).toEqual({ a: "1,1" });
  });
});
