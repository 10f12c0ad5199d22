import { describe, expect, it } from "vitest";
import { NetworkAllowList } from "../../runtime/net-allow";
import { compileRoute, findRoute, parseRouteArg } from "../../runtime/routes";

describe("network allow-list", () => {
  it("allows loopback by default and nothing else", () => {
    const a = new NetworkAllowList();
    expect(a.allows("127.0.0.1")).toBe(true);
    expect(a.allows("127.9.8.7")).toBe(true);
    expect(a.allows("::1")).toBe(true);
    expect(a.allows("::ffff:127.0.0.1")).toBe(true);
    expect(a.allows("10.0.0.1")).toBe(false);
    expect(a.allows("192.168.1.10")).toBe(false);
    expect(a.allows("2001:db8::1")).toBe(false);
    expect(a.allows("garbage")).toBe(false);
  });
  it("honours configured networks", () => {
    const a = new NetworkAllowList(["10.1.0.0/16", "2001:db8::/32"]);
    expect(a.allows("10.1.200.3")).toBe(true);
    expect(a.allows("10.2.0.1")).toBe(false);
    expect(a.allows("2001:db8:1::5")).toBe(true);
    expect(() => new NetworkAllowList(["10.0.0.0/33"])).toThrow(/prefix/);
  });
});

describe("routes", () => {
  it("exact numbers win over patterns; arguments split like mod_lua argv", () => {
    const routes = [
      compileRoute(parseRouteArg("^3\\d{3}$=ivr.lua")),
      compileRoute(parseRouteArg(`3000="menu.lua a 'two words'"`)),
    ];
    expect(findRoute(routes, "3000")?.script).toBe("menu.lua");
    expect(findRoute(routes, "3000")?.argv).toEqual(["a", "two words"]);
    expect(findRoute(routes, "3001")?.script).toBe("ivr.lua");
    expect(findRoute(routes, "30011")).toBeUndefined();
    expect(() => compileRoute(parseRouteArg("^(=x.lua"))).toThrow(/invalid regex/);
    expect(() => parseRouteArg("nonsense")).toThrow(/NUMBER=SCRIPT/);
  });
});
