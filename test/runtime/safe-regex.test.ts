// The one door for script/flow regexes on the runtime: RE2 (linear time), FreeSWITCH's "/re/flags"
// form, $N captures, and clear refusals for what RE2 cannot run (no backtracking fallback).
import re2 from "re2-wasm";
import { describe, expect, it } from "vitest";
import { apiRegex } from "../../runtime/host/fs-api";
import { compileDestinationPattern } from "../../runtime/outbound/patterns";
import { compileRoute } from "../../runtime/routes";
import { compileFsRegex, compileSafeRegex, MAX_SUBJECT_LENGTH } from "../../runtime/safe-regex";

function compiled(expr: string) {
  const r = compileFsRegex(expr);
  if (!r.ok) throw new Error(r.reason);
  return r.regex;
}

describe("compileFsRegex", () => {
  it("captures: whole match first, then $1..$n; a group that took no part is undefined", () => {
    expect(compiled("^(\\d{3})-(\\d+)(x)?$").exec("555-1234")).toEqual(["555-1234", "555", "1234", undefined]);
    expect(compiled("^[1-4]$").exec("5")).toBeNull();
    expect(compiled("(?:a|b)+?").exec("ab")).toEqual(["a"]);
  });

  it("reads FreeSWITCH's /pattern/flags: i caseless, s dot-all; a plain pattern has neither", () => {
    expect(compiled("/^yes$/i").test("YES")).toBe(true);
    expect(compiled("^yes$").test("YES")).toBe(false);
    expect(compiled("/a.b/s").test("a\nb")).toBe(true);
    expect(compiled("a.b").test("a\nb")).toBe(false);
    expect(compileFsRegex("/abc")).toEqual({ ok: false, reason: "missing ending '/' delimiter" });
  });

  it("takes PCRE syntax that RE2 shares: \\A \\z, POSIX classes, (?i), \\Q…\\E, named groups", () => {
    expect(compiled("\\A[[:digit:]]+\\z").test("123")).toBe(true);
    expect(compiled("(?i)abc").test("ABC")).toBe(true);
    expect(compiled("\\Qa.b\\E").test("axb")).toBe(false);
    expect(compiled("(?P<n>\\d)").exec("7")).toEqual(["7", "7"]);
  });

  it("refuses what RE2 cannot run, naming why", () => {
    const reason = (p: string) => {
      const r = compileFsRegex(p);
      return r.ok ? "compiled" : r.reason;
    };
    expect(reason("(a)\\1")).toMatch(/backreferences .* not supported/);
    expect(reason("a(?=b)")).toMatch(/lookahead and lookbehind/);
    expect(reason("(?<!a)b")).toMatch(/lookahead and lookbehind/);
    expect(reason("(?>a+)b")).toMatch(/atomic groups/);
    expect(reason("a{1001}")).toMatch(/repeat count above 1000/);
    expect(reason("(a{100}){100}")).toMatch(/expand to about 10[0-9]+ copies, above the 2000 allowed/);
    expect(reason("\\w{1000}\\w{1000}\\w{1000}")).toMatch(/expand to about 3000 copies/);
    expect(reason("(")).toMatch(/missing \)/);
    expect(reason("x".repeat(1025))).toMatch(/longer than 1024/);
    expect(reason("\\pL{5}")).toMatch(/too many Unicode property classes/);
    expect(compiled("^\\pL+\\pN$").test("é1")).toBe(true);
    expect(compileSafeRegex("a", "g")).toEqual({ ok: false, reason: "unsupported flag g" });
  });

  it("catastrophic-for-backtracking patterns answer at once, on a subject up to the cap; longer subjects are refused", () => {
    const evil = compiled("^(1+)+$");
    expect(evil.test("1".repeat(MAX_SUBJECT_LENGTH - 1) + "x")).toBe(false);
    expect(evil.test("1".repeat(MAX_SUBJECT_LENGTH))).toBe(true);
    expect(compiled("^(a|a)*$").test("a".repeat(5000) + "b")).toBe(false);
    expect(() => evil.test("1".repeat(MAX_SUBJECT_LENGTH + 1))).toThrow(/subject is longer than 8192/);
  });

  it("a big pattern gets a shorter subject: (pattern + repeat copies) x subject is capped", () => {
    const dots = compiled(".".repeat(400));
    expect(dots.test("x".repeat(250))).toBe(false);
    expect(() => dots.exec("x".repeat(251))).toThrow(/too large together \(400 x 251 characters; at most 100000\)/);
  });

  it("after re2-wasm aborts on a heap overflow, patterns still compile and match (reloaded if the engine died)", () => {
    // Overflow the shared re2-wasm instance the way an oversized program does (~0.5 s).
    expect(() => new re2.RE2("\\pL".repeat(400), "u")).toThrow(/Cannot enlarge memory|abort/);
    const next = compileFsRegex("^(\\d+)after-abort$");
    if (!next.ok) expect(next.reason).toBe("the pattern needs more memory than the regex engine has (16 MB)");
    expect(compiled("^(\\d+)#$").exec("42#")).toEqual(["42#", "42"]);
    expect(compiled("^(\\d{3})-(\\d+)$").exec("555-1")).toEqual(["555-1", "555", "1"]);
  });

  it("compiled patterns are freed: thousands of distinct patterns never exhaust re2-wasm's fixed heap", () => {
    // Without freeing, re2-wasm aborted for good after ~4,300 compiles of this size.
    for (let i = 0; i < 5000; i++) expect(compiled(`^(\\d{3})-(\\d+)${i}$`).exec(`555-1${i}`)?.[1]).toBe("555");
  });
});

describe("the regex API command", () => {
  it("true/false, substitution with $1..$n, the m:<d> form", () => {
    expect(apiRegex("5551234|^(\\d{3})(\\d{4})$")).toBe("true");
    expect(apiRegex("5551234|^(\\d{3})(\\d{4})$|$2-$1")).toBe("1234-555");
    expect(apiRegex("abc|^\\d+$|$1")).toBe("abc");
    expect(apiRegex("m:~1|2~^1\\|2$")).toBe("true");
  });

  it("^(1+)+$ on 28 ones and an x is false at once; a backreference is -ERR with the pattern in the log", () => {
    const logs: string[] = [];
    const log = (level: string, message: string) => logs.push(`${level} ${message}`);
    expect(apiRegex("1111111111111111111111111111x|^(1+)+$", log)).toBe("false");
    expect(apiRegex("aa|(a)\\1", log)).toBe("-ERR");
    expect(apiRegex(`${"1".repeat(MAX_SUBJECT_LENGTH + 1)}|^1+$`, log)).toBe("-ERR");
    expect(logs).toEqual([
      "err COMPILE ERROR: [(a)\\1]: backreferences (\\1, \\k<name>) are not supported: matching runs on RE2, which has none",
      "err COMPILE ERROR: [^1+$]: the subject is longer than 8192 characters",
    ]);
  });
});

describe("patterns matched against what a caller or script sends", () => {
  it("a ^regex$ route tests the dialed number on RE2: a crafted number cannot stall SIP; RE2's refusals are invalid routes", () => {
    const route = compileRoute({ pattern: "^(1+)+$", target: "x.lua" });
    expect(route.match("1".repeat(60) + "x")).toBe(false);
    expect(route.match("1".repeat(60))).toBe(true);
    expect(route.match("1".repeat(MAX_SUBJECT_LENGTH + 1))).toBe(false);
    expect(() => compileRoute({ pattern: "^(1)\\1$", target: "x.lua" })).toThrow(/invalid regex \(backreferences/);
  });

  it("a gateway allow pattern with many wildcards stays linear on a long destination", () => {
    const allow = compileDestinationPattern("1.2.3.4.5.6.7.8.9.");
    expect(allow.test("1a2b3c4d5e6f7g8h9i")).toBe(true);
    expect(allow.test("1" + "2345678".repeat(280))).toBe(false);
  });
});
