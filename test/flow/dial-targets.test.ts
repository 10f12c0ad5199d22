// IVR1031: where the server's gateways and SIP users are known, a Bridge dial string naming
// another one is a warning on its node's dial string; ${variables}, other endpoints, and a
// validation without the list say nothing.
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../flow/graph";
import { validate } from "../../flow/validate";
import { dialTargets } from "../../flow/validation/dial-targets";

const bridge = (id: string, dialString: string) => ({ id, kind: "bridge", position: { x: 0, y: 0 }, params: { dialString } });
const flow = loadFlow({
  schemaVersion: 1,
  name: "Dial",
  nodes: [
    { id: "start", kind: "start", position: { x: 0, y: 0 }, params: {} },
    bridge("ok", "{ignore_early_media=true}user/1000,sofia/gateway/carrier/15551234567"),
    bridge("bad", "[leg_timeout=10]user/1099@pbx|sofia/gateway/nowhere/15551234567|sofia/internal/1000@10.0.0.1"),
    bridge("vars", "user/${extension}|sofia/gateway/${gw}/1"),
  ],
  edges: [],
});
const destinations = { gateways: ["carrier"], users: ["1000", "1001"] };

describe("IVR1031 unknown gateways and SIP users", () => {
  it("reads the gateways and users of every leg, past {..}, [..] and <..> variables", () => {
    expect(dialTargets("<a=b>{c=d}[e=f]user/1000@x,sofia/gateway/gw1/123|user/2000")).toEqual({ gateways: ["gw1"], users: ["1000", "2000"] });
  });

  it("warns once per unknown name, on the dial string, with the cause the call would fail with", () => {
    const ds = validate(flow, { destinations }).filter((d) => d.code === "IVR1031");
    expect(ds.map((d) => [d.nodeId, d.param, d.severity])).toEqual([
      ["bad", "dialString", "warning"],
      ["bad", "dialString", "warning"],
    ]);
    expect(ds[0].message).toMatch(/gateway "nowhere" is not configured.*INVALID_GATEWAY/);
    expect(ds[1].message).toMatch(/SIP user "1099" is not configured.*SUBSCRIBER_ABSENT/);
  });

  it("says nothing when the list is not known", () => {
    expect(validate(flow).filter((d) => d.code === "IVR1031")).toEqual([]);
  });
});
