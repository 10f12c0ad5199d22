// The benchmark's 500-node flow is a fixture too: it must be a well-formed, valid flow,
// or the benchmark would time error paths instead of real generation.
import { describe, expect, it } from "vitest";
import { outcomesOf, parseParams, isNodeKind, validate } from "../../flow";
import { buildBigFlow, HEAD_SIZE, SECTION_SIZE } from "../../fixtures/big-flow";

describe("bench/generate big flow", () => {
  const sections = 38;
  const flow = buildBigFlow(sections);

  it("has the announced size and unique ids", () => {
    expect(flow.nodes).toHaveLength(HEAD_SIZE + SECTION_SIZE * sections);
    expect(flow.nodes.length).toBe(500);
    expect(new Set(flow.nodes.map((n) => n.id)).size).toBe(flow.nodes.length);
  });

  it("parses every node's params and connects every outcome once", () => {
    const ids = new Set(flow.nodes.map((n) => n.id));
    for (const node of flow.nodes) {
      expect(isNodeKind(node.kind)).toBe(true);
      if (isNodeKind(node.kind)) expect(parseParams(node.kind, node.params), node.id).toBeDefined();
      for (const o of outcomesOf(node.kind, node.params)) {
        const out = flow.edges.filter((e) => e.source === node.id && e.outcome === o.key);
        expect(out, `${node.id}.${o.key}`).toHaveLength(1);
        expect(ids.has(out[0].target)).toBe(true);
      }
    }
  });

  it("validates with no diagnostics at all", () => {
    expect(validate(flow)).toEqual([]);
  });
});
