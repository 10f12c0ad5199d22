import { describe, expect, it } from "vitest";
import { parseEndpoint } from "../../runtime/outbound/dial-string";
import { DestinationError, Destinations, parseGatewaySpec, parseUserSpec } from "../../runtime/outbound/destinations";
import { compileDestinationPattern } from "../../runtime/outbound/patterns";
import { OutboundPolicy } from "../../runtime/outbound/policy";

describe("gateway and user specs (ivr serve --gateway / --user)", () => {
  it("reads NAME=HOST:PORT with options", () => {
    const g = parseGatewaySpec("carrier=sip.example.com:5080;user=acme;pass=s3cret;register=yes;cid=15550001111;allow=1NXXNXXXXXX,+44.;max=4;cpm=10");
    expect(g).toEqual({
      name: "carrier",
      host: "sip.example.com",
      port: 5080,
      transport: "udp",
      username: "acme",
      password: "s3cret",
      register: true,
      callerId: "15550001111",
      allow: ["1NXXNXXXXXX", "+44."],
      maxCalls: 4,
      callsPerMinute: 10,
    });
    expect(parseGatewaySpec("pbx=10.0.0.2")).toMatchObject({ host: "10.0.0.2", port: 5060, register: false, allow: [] });
  });

  it("refuses bad specs with a sentence", () => {
    const bad = [
      ["carrier", "expected NAME=HOST:PORT"],
      ["bad name=host", "gateway name"],
      ["gw=host:0", "bad port"],
      ["gw=host:70000", "bad port"],
      ["gw=ho st", "not a host name"],
      ["gw=host;register=yes", "register=yes needs user= and pass="],
      ["gw=host;user=a", "give both user= and pass="],
      ["gw=host;transport=tls", "only transport=udp"],
      ["gw=host;colour=blue", "unknown option 'colour'"],
      ["gw=host;allow=12(3", "unexpected '('"],
      ["gw=host;max=lots", "whole number"],
      ["gw=host;register", "needs a value"],
    ];
    for (const [spec, msg] of bad) {
      expect(() => parseGatewaySpec(spec), spec).toThrow(DestinationError);
      expect(() => parseGatewaySpec(spec), spec).toThrow(msg);
    }
  });

  it("takes secrets from the environment with env:NAME", () => {
    const env = { GW_PASS: "from-env", DESK_PASS: "desk-secret-1" };
    expect(parseGatewaySpec("gw=host;user=u;pass=env:GW_PASS", env).password).toBe("from-env");
    expect(parseUserSpec("1000:env:DESK_PASS", env).password).toBe("desk-secret-1");
    expect(() => parseGatewaySpec("gw=host;user=u;pass=env:NOPE", env)).toThrow("NOPE is not set");
    expect(() => parseUserSpec("1000:env:NOPE", env)).toThrow("NOPE is not set");
  });

  it("reads NUMBER:PASSWORD and wants a real password", () => {
    expect(parseUserSpec("1000:correct-horse")).toEqual({ number: "1000", password: "correct-horse" });
    expect(parseUserSpec("1000:a:b:c:d:e")).toEqual({ number: "1000", password: "a:b:c:d:e" });
    expect(() => parseUserSpec("1000")).toThrow("NUMBER:PASSWORD");
    expect(() => parseUserSpec("1000:short")).toThrow("at least 8");
    expect(() => parseUserSpec("10 00:longenough")).toThrow(DestinationError);
  });
});

describe("destination patterns", () => {
  it("match whole numbers in dial-pattern notation", () => {
    const na = compileDestinationPattern("1NXXNXXXXXX");
    expect(na.test("15552345678")).toBe(true);
    expect(na.test("15551234567")).toBe(false); // exchange starting with 1
    expect(na.test("155523456789")).toBe(false); // no prefix matches
    const uk = compileDestinationPattern("+44.");
    expect(uk.test("+442071234567")).toBe(true);
    expect(uk.test("+44")).toBe(false);
    expect(compileDestinationPattern("9[1-3]!").test("9")).toBe(false);
    expect(compileDestinationPattern("9[1-3]!").test("92")).toBe(true);
    expect(compileDestinationPattern("911").test("9115551234")).toBe(false);
    expect(() => compileDestinationPattern("[a-z]")).toThrow(DestinationError);
    expect(() => compileDestinationPattern("")).toThrow(DestinationError);
  });
});

describe("resolving legs", () => {
  const destinations = new Destinations(
    {
      gateways: [parseGatewaySpec("carrier=198.51.100.7:5080;user=acme;pass=s3cret;cid=15550001111;allow=1800NXXXXXX")],
      users: [parseUserSpec("1000:password1000"), parseUserSpec("1001:password1001")],
    },
    (user) => (user === "1000" ? { uri: "sip:1000@127.0.0.1:5062", host: "127.0.0.1", port: 5062 } : undefined),
  );
  const resolve = (s: string) => destinations.resolve(parseEndpoint(s));

  it("a gateway number in the allow-list goes to the gateway with its credentials", () => {
    expect(resolve("sofia/gateway/carrier/18005551234")).toEqual({
      ok: true,
      target: {
        route: "gateway:carrier",
        requestUri: "sip:18005551234@198.51.100.7:5080",
        host: "198.51.100.7",
        port: 5080,
        transport: "udp",
        auth: { username: "acme", password: "s3cret" },
        callerId: "15550001111",
        destination: "18005551234",
      },
    });
  });

  it("toll-fraud refusals: numbers outside the allow-list, unknown hosts, URI tricks", () => {
    expect(resolve("sofia/gateway/carrier/19005551234")).toMatchObject({ ok: false, cause: "OUTGOING_CALL_BARRED", barred: true });
    expect(resolve("sofia/gateway/carrier/18005551234;fs_path=sip:1@6.6.6.6")).toMatchObject({ ok: false, barred: true });
    expect(new Destinations({ gateways: [parseGatewaySpec("any=198.51.100.8;allow=.")], users: [] }).resolve(parseEndpoint("sofia/gateway/any/1@evil.example"))).toMatchObject({
      ok: false,
      cause: "INVALID_NUMBER_FORMAT",
      barred: true,
    });
    expect(resolve("sofia/internal/18005551234@203.0.113.9")).toMatchObject({ ok: false, cause: "OUTGOING_CALL_BARRED", barred: true });
    expect(resolve("sofia/internal/19005551234@198.51.100.7:5080")).toMatchObject({ ok: false, cause: "OUTGOING_CALL_BARRED" });
    expect(resolve("sofia/internal/18005551234@198.51.100.7:5080")).toMatchObject({ ok: true, target: { route: "gateway:carrier" } });
    // An unknown gateway is FreeSWITCH's INVALID_GATEWAY, still logged as a refusal.
    expect(resolve("sofia/gateway/other/18005551234")).toMatchObject({ ok: false, cause: "INVALID_GATEWAY", barred: true });
  });

  it("local users: registered, not registered, unknown", () => {
    expect(resolve("user/1000")).toMatchObject({ ok: true, target: { route: "users", requestUri: "sip:1000@127.0.0.1:5062", port: 5062 } });
    expect(resolve("sofia/internal/1000")).toMatchObject({ ok: true, target: { route: "users" } });
    expect(resolve("user/1001")).toMatchObject({ ok: false, cause: "USER_NOT_REGISTERED", barred: false });
    expect(resolve("user/2000")).toMatchObject({ ok: false, cause: "SUBSCRIBER_ABSENT" });
    expect(resolve("sofia/nosuchprofile/1000")).toMatchObject({ ok: false, cause: "INVALID_PROFILE" });
  });

  it("other endpoints fail as FreeSWITCH fails them", () => {
    expect(resolve("error/user_busy")).toMatchObject({ ok: false, cause: "USER_BUSY", barred: false });
    expect(resolve("loopback/1000")).toMatchObject({ ok: false, cause: "CHAN_NOT_IMPLEMENTED" });
  });

  it("duplicate names are configuration errors", () => {
    expect(() => new Destinations({ gateways: [parseGatewaySpec("a=h"), parseGatewaySpec("a=h2")], users: [] })).toThrow("twice");
    expect(() => new Destinations({ gateways: [], users: [parseUserSpec("1:12345678"), parseUserSpec("1:87654321")] })).toThrow("twice");
  });
});

describe("outbound limits", () => {
  it("counts concurrent legs per route and in total, and starts per minute on a pinned clock", () => {
    let now = 1_000;
    const policy = new OutboundPolicy({ maxCalls: 3, callsPerMinute: 4 }, () => now);
    const a = policy.admit("gateway:gw", { maxCalls: 2, callsPerMinute: 0 });
    const b = policy.admit("gateway:gw", { maxCalls: 2, callsPerMinute: 0 });
    expect(a.ok && b.ok).toBe(true);
    const c = policy.admit("gateway:gw", { maxCalls: 2, callsPerMinute: 0 });
    expect(c).toMatchObject({ ok: false, cause: "CALL_REJECTED" });
    if (!c.ok) expect(c.reason).toContain("on gateway:gw");
    const d = policy.admit("users", { maxCalls: 0, callsPerMinute: 0 });
    expect(d.ok).toBe(true);
    const e = policy.admit("users", { maxCalls: 0, callsPerMinute: 0 });
    expect(e).toMatchObject({ ok: false, cause: "CALL_REJECTED" }); // 3 up in total
    if (a.ok) {
      a.release();
      a.release(); // idempotent
    }
    expect(policy.activeCalls).toBe(2);
    const f = policy.admit("users", { maxCalls: 0, callsPerMinute: 0 });
    expect(f.ok).toBe(true); // 4th start this minute
    if (f.ok) f.release();
    const g = policy.admit("users", { maxCalls: 0, callsPerMinute: 0 });
    expect(g).toMatchObject({ ok: false, cause: "CALL_REJECTED" });
    if (!g.ok) expect(g.reason).toContain("last minute");
    now += 60_000;
    expect(policy.admit("users", { maxCalls: 0, callsPerMinute: 0 }).ok).toBe(true);
  });

  it("a route's own rate limit applies before the global one", () => {
    const now = 0;
    const policy = new OutboundPolicy({ maxCalls: 100, callsPerMinute: 100 }, () => now);
    const r = policy.admit("gateway:gw", { maxCalls: 0, callsPerMinute: 1 });
    if (r.ok) r.release();
    expect(policy.admit("gateway:gw", { maxCalls: 0, callsPerMinute: 1 })).toMatchObject({ ok: false, cause: "CALL_REJECTED" });
    expect(policy.admit("users", { maxCalls: 0, callsPerMinute: 0 }).ok).toBe(true);
  });
});
