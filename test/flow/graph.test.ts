import { describe, expect, it } from "vitest";
import { FlowLoadError, loadFlow, migrateFlow, SCHEMA_VERSION } from "../../flow";

const node = { id: "s", kind: "start" };

function loadError(raw: unknown): FlowLoadError {
  try {
    loadFlow(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(FlowLoadError);
    return e as FlowLoadError;
  }
  throw new Error("expected loadFlow to throw");
}

describe("loadFlow and migrations", () => {
  it("migrates a v0 document (no schemaVersion) and fills defaults", () => {
    const flow = loadFlow({ nodes: [node], edges: [{ source: "s", outcome: "next", target: "s" }] });
    expect(flow.schemaVersion).toBe(SCHEMA_VERSION);
    expect(flow.name).toBe("Untitled flow");
    expect(flow.settings.ttsVoice).toBe("kal");
    expect(flow.nodes[0]).toEqual({ id: "s", kind: "start", label: "", params: {}, position: { x: 0, y: 0 } });
    expect(migrateFlow({ nodes: [] }).schemaVersion).toBe(SCHEMA_VERSION);
  });

  it("keeps raw node params, so a bad parameter still loads", () => {
    const flow = loadFlow({ schemaVersion: 1, nodes: [{ id: "m", kind: "menu", params: { maxDigits: "x" } }] });
    expect(flow.nodes[0].params).toEqual({ maxDigits: "x" });
  });

  it("refuses a document from a newer version with a clear message", () => {
    const e = loadError({ schemaVersion: SCHEMA_VERSION + 1, nodes: [] });
    expect(e.message).toMatch(/newer IVR Studio/);
    expect(e.message).toContain(`schema ${SCHEMA_VERSION + 1}`);
  });

  it.each([
    [null, /JSON object/],
    [[], /JSON object/],
    ["flow", /JSON object/],
    [{ schemaVersion: "1", nodes: [] }, /whole number/],
    [{ schemaVersion: -1, nodes: [] }, /whole number/],
  ])("refuses %j", (raw, message) => {
    expect(loadError(raw).message).toMatch(message);
  });

  it("reports bad shapes with their paths", () => {
    const e = loadError({
      schemaVersion: 1,
      nodes: [{ id: "a", kind: "start" }, { id: "", kind: "play" }],
      edges: [{ source: "a", target: "b" }],
    });
    const paths = e.issues.map((i) => i.path);
    expect(paths).toContain("nodes.1.id");
    expect(paths).toContain("edges.0.outcome");
    expect(e.message).toMatch(/^Not a valid flow document: nodes\.1\.id: .*\(and 1 more\)$/);
  });

  it("requires a nodes list", () => {
    const e = loadError({ schemaVersion: 1 });
    expect(e.issues.map((i) => i.path)).toEqual(["nodes"]);
  });
});
