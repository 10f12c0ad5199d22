import { describe, expect, it } from "vitest";
import { validate } from "../../flow";
import { largeFlow } from "../../fixtures/large-flow";

describe("validate on a large flow", () => {
  const options = { authorIsAdmin: true, httpAllowList: ["*.example.com"] };

  it("a clean 500-node flow has no diagnostics", () => {
    const flow = largeFlow(72);
    expect(flow.nodes.length).toBeGreaterThanOrEqual(500);
    expect(validate(flow, options)).toEqual([]);
  });

  it("finds a spinning loop deep inside it", () => {
    const flow = largeFlow(72);
    // Re-route block 40's log back to its own set-variable: set → log → set never waits.
    const edge = flow.edges.find((e) => e.source === "l40" && e.outcome === "next")!;
    edge.target = "s40";
    const ds = validate(flow, options);
    expect(ds.filter((d) => d.code === "IVR1009").map((d) => d.nodeId)).toEqual(["s40", "l40"]);
  });
});
