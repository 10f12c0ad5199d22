import { describe, expect, it } from "vitest";
import { checkPortableRegex, MAX_PATTERN_LENGTH, MAX_REPEAT_EXPANSION } from "../../flow";
import { compileSafeRegex } from "../../runtime/safe-regex";

describe("checkPortableRegex accepts the common subset", () => {
  it.each([
    ["literal digits", "1234"],
    ["empty pattern", ""],
    ["class escapes", "\\d\\D\\w\\W\\s\\S"],
    ["escaped punctuation", "\\.\\\\\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\#\\-\\/"],
    ["control escapes", "\\n\\r\\t\\f"],
    ["two-digit hex escape", "\\x41"],
    ["word boundaries", "\\b1\\B"],
    ["character class with ranges", "[0-9A-D]"],
    ["negated class", "[^#*]"],
    ["class with escapes", "[\\d\\]\\[-]"],
    ["dash at class edges", "[-1][1-]"],
    ["dot in a class", "[.]"],
    ["alternation", "1|2|3"],
    ["groups", "(1|2)(?:3|4)"],
    ["empty group", "()"],
    ["star plus question", "1*2+3?"],
    ["counted repeats", "\\d{4}|\\d{2,}|\\d{1,3}"],
    ["lazy quantifiers", "1*?2+?3??4{1,2}?"],
    ["anchors", "^\\d+$"],
    ["dot", "7.."],
    ["quantified group", "(12)+"],
    ["quantified class", "[4-6]{2}"],
    ["menu-style pattern", "7\\d"],
    ["RE2's largest repeat", "\\d{1000}"],
    ["nested counted repeats within RE2's limit", "(\\d{10}){100}"],
  ])("%s: %s", (_name, pattern) => {
    expect(checkPortableRegex(pattern)).toBeUndefined();
  });
});

describe("checkPortableRegex rejects what the engines read differently", () => {
  it.each([
    ["lookbehind", "(?<=1)2", /lookbehind/],
    ["negative lookbehind", "(?<!1)2", /lookbehind/],
    ["lookahead", "(?=1)1", /lookahead/],
    ["negative lookahead", "(?!1)\\d", /lookahead/],
    ["named group", "(?<n>1)", /named group/],
    ["python named group", "(?P<n>1)", /named group/],
    ["quoted named group", "(?'n'1)", /named group/],
    ["inline flags", "(?i)a", /inline flags/],
    ["inline flag group", "(?i:a)", /inline flags/],
    ["inline flag unset", "(?-i)a", /inline flags/],
    ["atomic group", "(?>12)", /atomic/],
    ["comment group", "(?#x)1", /comment/],
    ["recursion", "(?R)", /recursion/],
    ["backreference", "(1)\\1", /backreference/],
    ["named backreference", "(1)\\k<n>", /named backreference/],
    ["unicode property", "\\p{L}", /Unicode propert/],
    ["PCRE hex braces", "\\x{41}", /\\x/],
    ["JavaScript \\u escape", "\\u0041", /\\u/],
    ["\\A", "\\A1", /\\A/],
    ["\\Z", "1\\Z", /\\Z/],
    ["\\z", "1\\z", /\\z/],
    ["\\G", "\\G1", /\\G/],
    ["\\h", "\\h", /\\h/],
    ["\\R", "\\R", /\\R/],
    ["\\K", "1\\K2", /\\K/],
    ["\\v", "\\v", /vertical/],
    ["\\Q...\\E", "\\Q*\\E", /quoting/],
    ["unknown letter escape", "\\y", /not a known escape/],
    ["octal", "\\012", /octal/],
    ["possessive star", "1*+", /possessive/],
    ["possessive repeat", "1{2}+", /possessive/],
    ["double quantifier", "1**", /another quantifier/],
    ["quantifier after lazy", "1*?+", /lazy/],
    ["POSIX class", "[[:digit:]]", /POSIX/],
    ["unescaped [ in class", "[a[b]", /escape \[/],
    ["] first in class", "[]1]", /right after \[/],
    ["empty negated class", "[^]", /right after \[/],
    ["unclosed class", "[12", /never closed/],
    ["stray ]", "1]", /has no \[/],
    ["unclosed group", "(12", /never closed/],
    ["stray )", "12)", /has no \(/],
    ["nothing to repeat", "*1", /nothing to repeat/],
    ["repeat after alternation", "1|+2", /nothing to repeat/],
    ["repeat after anchor", "^*1", /nothing to repeat/],
    ["repeat after \\b", "\\b+", /nothing to repeat/],
    ["loose brace", "1{a}", /\\\{/],
    ["PCRE2 {,n}", "1{,3}", /\\\{/],
    ["loose closing brace", "1}", /\\\}/],
    ["repeat out of order", "1{3,2}", /wrong order/],
    ["repeat too large", "1{70000}", /too large/],
    ["repeat above RE2's 1000", "1{2,1001}", /above 1000 is too large for RE2/],
    ["nested counted repeats above RE2's 1000", "((\\d{10})x){101}", /multiply to 1010/],
    ["counted repeats expanding above 2000 copies", "\\d{1000}-\\d{1000}-\\d{1}", /expand to about 2001 copies/],
    ["range out of order", "[9-0]", /out of order/],
    ["range from a class escape", "[\\d-9]", /range/],
    ["\\b in a class", "[\\b]", /inside/],
    ["trailing backslash", "12\\", /lone backslash/],
    ["PCRE verb", "(*UTF)1", /verbs/],
  ])("%s: %s", (_name, pattern, reason) => {
    const r = checkPortableRegex(pattern);
    expect(r).toBeDefined();
    expect(r).toMatch(reason);
  });

  it("accepts only patterns JavaScript compiles", () => {
    // Whatever it accepts, RegExp must compile (spot check over mixed constructs).
    for (const p of ["(1|(2|3)*)+", "[\\x30-\\x39]{1,4}", "a.b?c*d+", "(?:)"]) {
      expect(checkPortableRegex(p)).toBeUndefined();
      expect(() => new RegExp(p)).not.toThrow();
    }
  });
});

describe("checkPortableRegex agrees with the runtime's RE2", () => {
  it("what it accepts compiles on RE2; the repeats it refuses RE2 refuses too", () => {
    for (const p of ["(1|(2|3)*)+", "[\\x30-\\x39]{1,4}", "\\d{1000}", "(\\d{10}){100}", "(a{2}|b{500})", "^(?:7\\d)$", "1*?2+?3??"]) {
      expect(checkPortableRegex(p), p).toBeUndefined();
      expect(compileSafeRegex(p).ok, p).toBe(true);
    }
    for (const p of ["1{1001}", "(\\d{10}){101}", "((a{5}){5}){41}"]) {
      expect(checkPortableRegex(p), p).toMatch(/RE2/);
      expect(compileSafeRegex(p).ok, p).toBe(false);
    }
  });

  it("both stop at the same shared limits (flow/regex-limits.ts): pattern length and repeat copies", () => {
    const longest = "1".repeat(MAX_PATTERN_LENGTH);
    expect(checkPortableRegex(longest)).toBeUndefined();
    expect(compileSafeRegex(longest).ok).toBe(true);
    expect(checkPortableRegex(`${longest}1`)).toMatch(`longer than ${MAX_PATTERN_LENGTH}`);
    expect(compileSafeRegex(`${longest}1`)).toMatchObject({ ok: false, reason: expect.stringContaining(`longer than ${MAX_PATTERN_LENGTH}`) });
    const half = MAX_REPEAT_EXPANSION / 2;
    const atLimit = `\\d{${half}}-\\d{${half}}`;
    expect(checkPortableRegex(atLimit)).toBeUndefined();
    expect(compileSafeRegex(atLimit).ok).toBe(true);
    expect(checkPortableRegex(`${atLimit}1{1}`)).toMatch(`above the ${MAX_REPEAT_EXPANSION}`);
    expect(compileSafeRegex(`${atLimit}1{1}`)).toMatchObject({ ok: false, reason: expect.stringContaining(`above the ${MAX_REPEAT_EXPANSION}`) });
  });
});

describe("checkPortableRegex reasons", () => {
  it("name the construct", () => {
    expect(checkPortableRegex("(?<=1)2")).toBe("lookbehind (?<=…) is not read the same way by FreeSWITCH (PCRE) and JavaScript");
    expect(checkPortableRegex("(?!1)2")).toBe("lookahead (?!…) is not supported, to stay portable");
  });
});
