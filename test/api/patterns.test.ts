// Route patterns (FreeSWITCH destination_number conditions) and their overlap rules.
import { describe, expect, it } from "vitest";
import { findOverlaps, matchRoute, parsePattern } from "../../app/lib/server/routes/patterns";

const parsed = (p: string) => {
  const r = parsePattern(p);
  if (typeof r === "string") throw new Error(r);
  return r;
};

describe("parsePattern", () => {
  it("accepts exact numbers and anchored regexes", () => {
    expect(parsed("5000")).toEqual({ kind: "exact", number: "5000" });
    expect(parsed("+4930123")).toMatchObject({ kind: "exact" });
    expect(parsed("*98#")).toMatchObject({ kind: "exact" });
    expect(parsed("^1(00|01)$")).toMatchObject({ kind: "regex", source: "^1(00|01)$" });
  });

  it("explains what is wrong with anything else", () => {
    expect(parsePattern("")).toMatch(/empty/);
    expect(parsePattern("12 34")).toMatch(/neither a number/);
    expect(parsePattern("^12")).toMatch(/end with \$/);
    expect(parsePattern("^12\\$")).toMatch(/end with \$/);
    expect(parsePattern("^(12$")).toMatch(/Not a valid regular expression|not portable/);
    expect(parsePattern("1+2")).toMatch(/neither/);
  });
});

describe("findOverlaps", () => {
  const others = [
    { id: "a", pattern: "5000" },
    { id: "b", pattern: "^6\\d{3}$" },
  ];
  it("reports exact duplicates", () => {
    expect(findOverlaps(parsed("5000"), others).duplicate?.id).toBe("a");
    expect(findOverlaps(parsed("^6\\d{3}$"), others).duplicate?.id).toBe("b");
  });
  it("warns when a number and a regex overlap, both ways", () => {
    const n = findOverlaps(parsed("6001"), others);
    expect(n.duplicate).toBeUndefined();
    expect(n.warnings).toEqual(["6001 is also matched by route ^6\\d{3}$; the exact number takes precedence."]);
    const r = findOverlaps(parsed("^50\\d\\d$"), others);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("5000");
  });
  it("stays quiet when nothing overlaps", () => {
    expect(findOverlaps(parsed("7000"), others)).toEqual({ warnings: [] });
    expect(findOverlaps(parsed("^7\\d$"), others)).toEqual({ warnings: [] });
  });
});

describe("matchRoute", () => {
  it("prefers the exact number over a regex", () => {
    const routes = [
      { id: "rx", pattern: "^50\\d\\d$" },
      { id: "ex", pattern: "5000" },
    ];
    expect(matchRoute("5000", routes)?.id).toBe("ex");
    expect(matchRoute("5001", routes)?.id).toBe("rx");
    expect(matchRoute("6000", routes)).toBeUndefined();
  });

  it("tests numbers on RE2: ^(1+)+$ against sixty 1s and a # answers at once (a backtracking engine would not)", () => {
    const routes = [{ id: "evil", pattern: "^(1+)+$" }];
    expect(matchRoute("1".repeat(60) + "#", routes)).toBeUndefined();
    expect(matchRoute("1".repeat(60), routes)?.id).toBe("evil");
    expect(findOverlaps(parsed("^(1+)+$"), [{ id: "n", pattern: "1".repeat(150) + "#" }]).warnings).toEqual([]);
  });
});
