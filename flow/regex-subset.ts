// The regular-expression subset that FreeSWITCH's PCRE and JavaScript read the same way.
// A menu pattern runs as PCRE on FreeSWITCH and on RE2 on our runtime (runtime/safe-regex.ts, linear
// time); the TS export tests it with a RegExp. Anything these engines could read differently (or one
// cannot read at all) is refused here, with a reason. Pure TypeScript: the designer runs it live.

import { MAX_PATTERN_LENGTH, MAX_REPEAT_COUNT, MAX_REPEAT_EXPANSION, readBraces, repeatExpansion } from "./regex-limits";

const BOTH = "FreeSWITCH (PCRE) and JavaScript";

/** Escapes that mean the same thing in both engines (besides escaped punctuation). */
const CLASS_ESCAPES = new Set(["d", "D", "w", "W", "s", "S"]);
const CONTROL_ESCAPES = new Set(["n", "r", "t", "f"]);

/** Why a letter escape is refused (letters not listed get a generic reason). */
const LETTER_ESCAPE_REASONS: Record<string, string> = {
  A: "\\A (start of subject) is PCRE only; use ^",
  Z: "\\Z (end of subject) is PCRE only; use $",
  z: "\\z (end of subject) is PCRE only; use $",
  G: "\\G (match start) is PCRE only",
  h: "\\h (horizontal space) is PCRE only; use [ \\t]",
  H: "\\H (not horizontal space) is PCRE only",
  v: "\\v means vertical space in PCRE but a vertical tab in JavaScript",
  V: "\\V is PCRE only",
  R: "\\R (any newline) is PCRE only",
  K: "\\K (reset match start) is PCRE only",
  X: "\\X (extended grapheme) is PCRE only",
  C: "\\C (one code unit) is PCRE only",
  N: "\\N is PCRE only",
  k: "named backreferences (\\k<name>) are not supported: use plain groups and no backreference",
  g: "backreferences (\\g) are not supported",
  p: "Unicode properties (\\p{…}) are not read the same way by " + BOTH,
  P: "Unicode properties (\\P{…}) are not read the same way by " + BOTH,
  u: "\\u escapes are JavaScript only; PCRE writes \\x{…}",
  x: "\\x needs exactly two hex digits (\\x{…} is PCRE only)",
  c: "control escapes (\\cX) are not supported",
  e: "\\e (escape) is PCRE only",
  a: "\\a (bell) is PCRE only",
  o: "\\o{…} octal escapes are PCRE only",
  Q: "\\Q…\\E quoting is PCRE only; escape each character instead",
  E: "\\Q…\\E quoting is PCRE only; escape each character instead",
};

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isAsciiLetterOrDigit = (c: string) => /^[A-Za-z0-9]$/.test(c);

/** What an escape sequence at `i` (pointing at the backslash) is: its length, or a refusal. */
type EscapeRead =
  | { ok: true; length: number; kind: "class" | "char" | "boundary" }
  | { ok: false; reason: string };

function readEscape(p: string, i: number, inClass: boolean): EscapeRead {
  const c = p[i + 1];
  if (c === undefined) return { ok: false, reason: "the pattern ends with a lone backslash" };
  if (CLASS_ESCAPES.has(c)) return { ok: true, length: 2, kind: "class" };
  if (CONTROL_ESCAPES.has(c)) return { ok: true, length: 2, kind: "char" };
  if (c === "b" || c === "B") {
    if (inClass) return { ok: false, reason: `\\${c} inside [...] is not supported` };
    return { ok: true, length: 2, kind: "boundary" };
  }
  if (c === "0") return { ok: false, reason: "octal escapes (\\0…) are read differently by " + BOTH };
  if (isDigit(c)) {
    return {
      ok: false,
      reason: inClass
        ? "octal escapes (\\1…) are read differently by " + BOTH
        : `backreferences (\\${c}) are not supported`,
    };
  }
  if (c === "x") {
    if (isHex(p[i + 2]) && isHex(p[i + 3])) return { ok: true, length: 4, kind: "char" };
    return { ok: false, reason: LETTER_ESCAPE_REASONS.x };
  }
  if (isAsciiLetterOrDigit(c)) {
    return { ok: false, reason: LETTER_ESCAPE_REASONS[c] ?? `\\${c} is not a known escape in both ${BOTH}` };
  }
  if (c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x20) {
    return { ok: false, reason: "only punctuation may follow a backslash" };
  }
  // Escaped punctuation (\. \* \\ \( ...) is a literal in both engines.
  return { ok: true, length: 2, kind: "char" };
}

/** Scan a character class starting at `[`; returns the index after `]`, or a refusal. */
function readClass(p: string, start: number): { end: number } | { reason: string } {
  let i = start + 1;
  if (p[i] === "^") i++;
  if (p[i] === "]") {
    return { reason: "a ] right after [ or [^ is read differently by " + BOTH + "; escape it as \\]" };
  }
  // The previous item, to validate ranges: a single character (its code) or a class escape.
  let prev: { code: number } | "class" | undefined;
  while (i < p.length) {
    const c = p[i];
    if (c === "]") return { end: i + 1 };
    if (c === "[") {
      const n = p[i + 1];
      if (n === ":" || n === "." || n === "=") {
        return { reason: "POSIX classes ([[:digit:]]) are not supported by JavaScript; use \\d or [0-9]" };
      }
      return { reason: "escape [ inside a character class as \\[" };
    }
    if (c === "-" && prev !== undefined && p[i + 1] !== "]" && p[i + 1] !== undefined) {
      // A range: prev-next.
      const endAt = i + 1;
      let endCode: number | "class";
      let endLen: number;
      if (p[endAt] === "\\") {
        const esc = readEscape(p, endAt, true);
        if (!esc.ok) return { reason: esc.reason };
        endLen = esc.length;
        endCode = esc.kind === "class" ? "class" : escapedCode(p, endAt);
      } else {
        if (p[endAt] === "[") return { reason: "escape [ inside a character class as \\[" };
        endLen = 1;
        endCode = p.charCodeAt(endAt);
      }
      if (prev === "class" || endCode === "class") {
        return { reason: "a range cannot start or end with \\d, \\w or \\s (PCRE refuses it, JavaScript reads a literal -)" };
      }
      if (prev.code > endCode) return { reason: "a range in [...] is out of order (its start is after its end)" };
      prev = undefined; // a range cannot chain into another range
      i = endAt + endLen;
      continue;
    }
    if (c === "\\") {
      const esc = readEscape(p, i, true);
      if (!esc.ok) return { reason: esc.reason };
      prev = esc.kind === "class" ? "class" : { code: escapedCode(p, i) };
      i += esc.length;
      continue;
    }
    prev = { code: p.charCodeAt(i) };
    i++;
  }
  return { reason: "unbalanced brackets: a [ is never closed" };
}

/** The character code an escape (not a class escape) stands for. */
function escapedCode(p: string, i: number): number {
  const c = p[i + 1];
  if (c === "x") return parseInt(p.slice(i + 2, i + 4), 16);
  const control: Record<string, number> = { n: 10, r: 13, t: 9, f: 12 };
  return control[c] ?? c.charCodeAt(0);
}

/** Why a `(?` group is refused. */
function groupReason(p: string, i: number): string {
  const rest = p.slice(i + 2, i + 4);
  if (rest.startsWith("<=") || rest.startsWith("<!")) {
    return `lookbehind ${p.slice(i, i + 4)}…) is not read the same way by ${BOTH}`;
  }
  if (rest.startsWith("=") || rest.startsWith("!")) {
    return `lookahead ${p.slice(i, i + 3)}…) is not supported, to stay portable`;
  }
  if (rest.startsWith("<") || rest.startsWith("P") || rest.startsWith("'")) {
    return "named groups are not supported: use (…) or (?:…)";
  }
  if (rest.startsWith(">")) return "atomic groups (?>…) are PCRE only";
  if (rest.startsWith("#")) return "comments (?#…) are PCRE only";
  if (rest.startsWith("|")) return "branch reset groups (?|…) are PCRE only";
  if (/^([0-9R+&]|-\d)/.test(rest)) return "recursion and subroutine calls (?R) are PCRE only";
  return "inline flags such as (?i) are not supported by " + BOTH;
}

/**
 * Returns a short reason when `pattern` is outside the PCRE/JavaScript common subset, else undefined.
 * Allowed: literals, escaped punctuation, \d \D \w \W \s \S \b \B \n \r \t \f \xHH, classes [...] with
 * ranges and ^, alternation, (...) and (?:...), quantifiers * + ? {n} {n,} {n,m} (optionally lazy), ^ $ and dot.
 */
export function checkPortableRegex(pattern: string): string | undefined {
  const p = pattern;
  if (p.length > MAX_PATTERN_LENGTH) return `it is longer than ${MAX_PATTERN_LENGTH} characters`;
  let openGroups = 0;
  // Whether the last item can take a quantifier (a char, class, group, dot), and whether
  // it already has one (a second would be possessive or a nested quantifier).
  let canQuantify = false;
  let quantified = false;
  // For RE2's repeat limit: per open group, the largest product of counted repeats inside it,
  // and that product for the last item (1 for an atom, the group's for a group just closed).
  const frames: number[] = [1];
  let lastInner = 1;
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === "\\") {
      const esc = readEscape(p, i, false);
      if (!esc.ok) return esc.reason;
      canQuantify = esc.kind !== "boundary";
      lastInner = 1;
      quantified = false;
      i += esc.length;
      continue;
    }
    if (c === "[") {
      const r = readClass(p, i);
      if ("reason" in r) return r.reason;
      canQuantify = true;
      lastInner = 1;
      quantified = false;
      i = r.end;
      continue;
    }
    if (c === "]") return "unbalanced brackets: a ] has no [ (escape it as \\])";
    if (c === "(") {
      if (p[i + 1] === "?") {
        if (p[i + 2] !== ":") return groupReason(p, i);
        i += 3;
      } else if (p[i + 1] === "*") {
        return "PCRE verbs such as (*UTF) are not supported";
      } else {
        i += 1;
      }
      openGroups++;
      frames.push(1);
      canQuantify = false;
      quantified = false;
      continue;
    }
    if (c === ")") {
      if (openGroups === 0) return "unbalanced parentheses: a ) has no (";
      openGroups--;
      lastInner = frames.pop()!;
      frames[frames.length - 1] = Math.max(frames[frames.length - 1], lastInner);
      canQuantify = true;
      quantified = false;
      i++;
      continue;
    }
    if (c === "|") {
      canQuantify = false;
      quantified = false;
      i++;
      continue;
    }
    if (c === "^" || c === "$") {
      canQuantify = false;
      quantified = false;
      i++;
      continue;
    }
    if (c === "*" || c === "+" || c === "?" || c === "{") {
      let length = 1;
      if (c === "{") {
        const b = readBraces(p, i);
        if (!b) return "a { that does not start a {n}, {n,} or {n,m} repeat must be escaped as \\{";
        if (b.max < b.min) return `the repeat {${b.min},${b.max}} has its numbers in the wrong order`;
        if (b.min > MAX_REPEAT_COUNT || (b.max !== Infinity && b.max > MAX_REPEAT_COUNT)) {
          return `a repeat count above ${MAX_REPEAT_COUNT} is too large for RE2, the runtime's linear-time engine`;
        }
        length = b.length;
      }
      if (quantified) {
        if (c === "+") return "possessive quantifiers (a*+) are PCRE only";
        if (c === "?") return "a quantifier cannot follow a lazy quantifier";
        return "a quantifier cannot follow another quantifier; group the first one: (a*)*";
      }
      if (!canQuantify) return `nothing to repeat before ${c === "{" ? p.slice(i, i + length) : c}`;
      if (c === "{") {
        const b = readBraces(p, i)!;
        const total = (b.max === Infinity ? b.min : b.max) * lastInner;
        if (total > MAX_REPEAT_COUNT) {
          return `counted repeats nested inside each other multiply to ${total}, above the ${MAX_REPEAT_COUNT} RE2 (the runtime's linear-time engine) allows`;
        }
        frames[frames.length - 1] = Math.max(frames[frames.length - 1], total);
      }
      i += length;
      quantified = true;
      // Lazy form: one optional ? right after the quantifier (still "quantified" for what follows).
      if (p[i] === "?") {
        i++;
        if (p[i] === "+" || p[i] === "*" || p[i] === "?" || p[i] === "{") {
          return "a quantifier cannot follow a lazy quantifier";
        }
      }
      continue;
    }
    if (c === "}") return "a } without a repeat { must be escaped as \\}";
    // Any other character (including . and letters) is one item.
    canQuantify = true;
    lastInner = 1;
    quantified = false;
    i++;
  }
  if (openGroups > 0) return "unbalanced parentheses: a ( is never closed";
  const expansion = repeatExpansion(p);
  if (expansion > MAX_REPEAT_EXPANSION) {
    return `its counted repeats expand to about ${expansion} copies, above the ${MAX_REPEAT_EXPANSION} RE2 (the runtime's linear-time engine) is given`;
  }
  try {
    new RegExp(p);
  } catch (e) {
    return `JavaScript cannot compile it (${(e as Error).message})`;
  }
  return undefined;
}
