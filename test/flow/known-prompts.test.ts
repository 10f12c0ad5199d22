// IVR1030: with a knownPrompt check, every prompt file the server does not have is a warning on
// its node and parameter; tones, silence, say:/phrase: and ${variables} are never flagged.
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../flow/graph";
import { validate } from "../../flow/validate";

const flow = loadFlow({
  schemaVersion: 1,
  name: "Prompts",
  nodes: [
    { id: "start", kind: "start", position: { x: 0, y: 0 }, params: {} },
    { id: "a", kind: "play", position: { x: 0, y: 100 }, params: { file: "prompts/welcome.wav" } },
    { id: "b", kind: "play", position: { x: 0, y: 200 }, params: { file: "file_string://ivr/ivr-welcome.wav!prompts/missing.wav" } },
    { id: "c", kind: "play", position: { x: 0, y: 300 }, params: { file: "tone_stream://%(200,0,440)" } },
    { id: "d", kind: "play", position: { x: 0, y: 400 }, params: { file: "${greeting}" } },
    { id: "bye", kind: "hangup", position: { x: 0, y: 500 }, params: {} },
  ],
  edges: [
    { id: "e1", source: "start", outcome: "next", target: "a" },
    { id: "e2", source: "a", outcome: "next", target: "b" },
    { id: "e3", source: "b", outcome: "next", target: "c" },
    { id: "e4", source: "c", outcome: "next", target: "d" },
    { id: "e5", source: "d", outcome: "next", target: "bye" },
  ],
});

describe("IVR1030 unknown prompts", () => {
  it("warns for each file the server lacks, on its node and parameter", () => {
    const known = new Set(["prompts/welcome.wav", "ivr/ivr-welcome.wav"]);
    const ds = validate(flow, { knownPrompt: (p) => known.has(p) }).filter((d) => d.code === "IVR1030");
    expect(ds).toEqual([
      expect.objectContaining({ severity: "warning", nodeId: "b", param: "file", message: expect.stringContaining('"prompts/missing.wav"') }),
    ]);
  });

  it("is not checked without knownPrompt (the designer's own validation)", () => {
    expect(validate(flow).filter((d) => d.code === "IVR1030")).toEqual([]);
  });

  it("every file unknown: one warning per file", () => {
    const ds = validate(flow, { knownPrompt: () => false }).filter((d) => d.code === "IVR1030");
    expect(ds.map((d) => d.nodeId)).toEqual(["a", "b", "b"]);
  });
});
