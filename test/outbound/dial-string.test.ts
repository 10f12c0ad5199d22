import { describe, expect, it } from "vitest";
import { isTrue, legVariables, parseDialString, parseEndpoint, parseVarList } from "../../runtime/outbound/dial-string";

function parse(s: string) {
  const r = parseDialString(s);
  if (!r.ok) throw new Error(r.error);
  return r.dial;
}

describe("dial string structure", () => {
  it("'|' separates groups tried one after another, ',' the legs rung together (FreeSWITCH's order)", () => {
    const d = parse("user/1000,user/1001|sofia/gateway/gw/15551234567");
    expect(d.groups.map((g) => g.map((l) => l.text))).toEqual([["user/1000", "user/1001"], ["sofia/gateway/gw/15551234567"]]);
  });

  it("{..} and <..> set variables for every leg, [..] for one leg; {..} wins unless local_var_clobber", () => {
    const d = parse("<ultra=u>{originate_timeout=20,ignore_early_media=true}[leg_timeout=5]user/1000,user/1001");
    expect([...d.vars]).toEqual([
      ["ultra", "u"],
      ["originate_timeout", "20"],
      ["ignore_early_media", "true"],
    ]);
    const [a, b] = d.groups[0];
    expect([...a.vars]).toEqual([["leg_timeout", "5"]]);
    expect(b.vars.size).toBe(0);
    const d2 = parse("{leg_timeout=30}[leg_timeout=5,x=1]user/1000,user/1001");
    expect(legVariables(d2, d2.groups[0][0]).get("leg_timeout")).toBe("30");
    expect(legVariables(d2, d2.groups[0][0]).get("x")).toBe("1");
    expect(legVariables(d2, d2.groups[0][1]).get("leg_timeout")).toBe("30");
    const d3 = parse("{local_var_clobber=true,leg_timeout=30}[leg_timeout=5]user/1000,user/1001");
    expect(legVariables(d3, d3.groups[0][0]).get("leg_timeout")).toBe("5");
    expect(legVariables(d3, d3.groups[0][1]).get("leg_timeout")).toBe("30");
  });

  it("commas inside quotes or brackets do not split legs; several blocks add up", () => {
    const d = parse("{a='x,y'}{b=2}[c='1,2',d=3]user/1000,[e=4]user/1001");
    expect(d.vars.get("a")).toBe("x,y");
    expect(d.vars.get("b")).toBe("2");
    expect(d.groups[0]).toHaveLength(2);
    expect(d.groups[0][0].vars.get("c")).toBe("1,2");
    expect(d.groups[0][0].vars.get("d")).toBe("3");
    expect(d.groups[0][1].vars.get("e")).toBe("4");
  });

  it("^^X changes the variable separator; an item without '=' is ignored; a=b=c keeps b=c", () => {
    expect([...parseVarList("^^;a=1,2;b=3")]).toEqual([
      ["a", "1,2"],
      ["b", "3"],
    ]);
    expect([...parseVarList("novalue,x=a=b")]).toEqual([["x", "a=b"]]);
    expect(parseVarList("x=\\,y").get("x")).toBe(",y");
  });

  it("leading spaces are skipped, as FreeSWITCH strips them", () => {
    const d = parse("  {a=1}  user/1000 ,  user/1001");
    expect(d.groups[0].map((l) => l.text)).toEqual(["user/1000", "user/1001"]);
  });

  it("malformed input is an error sentence, never an exception", () => {
    for (const [s, msg] of [
      ["", "No origination URL specified!"],
      ["{a=1}", "No origination URL specified!"],
      ["{a=1 user/1000", "unclosed '{'"],
      ["[a=1 user/1000", "unclosed '['"],
      ["user/1000,,user/1001", "Empty dial string"],
      ["user/1:_:user/2", "enterprise originate"],
    ] as const) {
      const r = parseDialString(s);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(msg);
    }
    expect(parseDialString("x".repeat(9000)).ok).toBe(false);
    expect(parseDialString(undefined as unknown as string).ok).toBe(false);
  });
});

describe("endpoints", () => {
  it("sofia/gateway/NAME/NUMBER, with parameters kept apart", () => {
    expect(parseEndpoint("sofia/gateway/carrier/+15551234567")).toEqual({ kind: "gateway", gateway: "carrier", number: "+15551234567", params: "" });
    expect(parseEndpoint("sofia/gateway/carrier/123;fs_path=sip:evil")).toMatchObject({ kind: "gateway", number: "123", params: "fs_path=sip:evil" });
    expect(parseEndpoint("sofia/gateway/carrier/")).toMatchObject({ kind: "unsupported" });
    expect(parseEndpoint("sofia/gateway/carrier")).toMatchObject({ kind: "unsupported" });
  });

  it("user/NUMBER[@DOMAIN]", () => {
    expect(parseEndpoint("user/1000")).toEqual({ kind: "user", user: "1000", domain: undefined });
    expect(parseEndpoint("user/1000@example.com")).toEqual({ kind: "user", user: "1000", domain: "example.com" });
    expect(parseEndpoint("user/")).toMatchObject({ kind: "unsupported" });
  });

  it("sofia/PROFILE/USER@HOST[:PORT], sip: URIs, and registered-user lookups", () => {
    expect(parseEndpoint("sofia/internal/1000@10.0.0.5:5080")).toEqual({ kind: "sip", profile: "internal", user: "1000", host: "10.0.0.5", port: 5080 });
    expect(parseEndpoint("sofia/external/sip:bob@PBX.example.com")).toEqual({ kind: "sip", profile: "external", user: "bob", host: "pbx.example.com", port: undefined });
    expect(parseEndpoint("sofia/internal/1000%example.com")).toEqual({ kind: "registered", profile: "internal", user: "1000", domain: "example.com" });
    expect(parseEndpoint("sofia/internal/1000")).toEqual({ kind: "registered", profile: "internal", user: "1000", domain: undefined });
    expect(parseEndpoint("sofia/internal/1000@host:99999")).toMatchObject({ kind: "unsupported" });
    // URI parameters could route the INVITE elsewhere (maddr, transport): refused.
    expect(parseEndpoint("sofia/internal/1000@host;maddr=6.6.6.6")).toMatchObject({ kind: "unsupported" });
  });

  it("error/CAUSE fails with that cause; unknown techs are not available", () => {
    expect(parseEndpoint("error/user_busy")).toEqual({ kind: "error", cause: "USER_BUSY" });
    expect(parseEndpoint("error/17")).toEqual({ kind: "error", cause: "USER_BUSY" });
    expect(parseEndpoint("error/")).toEqual({ kind: "error", cause: "DESTINATION_OUT_OF_ORDER" });
    expect(parseEndpoint("loopback/1000")).toMatchObject({ kind: "unsupported", tech: "loopback" });
    expect(parseEndpoint("1000")).toMatchObject({ kind: "unsupported" });
  });
});

describe("switch_true", () => {
  it("accepts FreeSWITCH's true words and non-zero numbers", () => {
    for (const v of ["true", "TRUE", "yes", "on", "t", "enabled", "active", "allow", "1", "-2"]) expect(isTrue(v)).toBe(true);
    for (const v of ["false", "no", "0", "", "USER_BUSY", undefined]) expect(isTrue(v)).toBe(false);
  });
});
