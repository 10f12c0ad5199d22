// The size limits on regular expressions, in one place: the designer and validator
// (flow/regex-subset.ts, plain TypeScript since the browser cannot load re2-wasm) refuse what the
// runtime's RE2 (runtime/safe-regex.ts) would refuse, so both import these numbers and the one
// measure of repeat copies from here. Why each number is what it is: docs/runtime.md.

/** Longest pattern either side accepts. */
export const MAX_PATTERN_LENGTH = 1024;

/** RE2's largest repeat count, also for nested counted repeats multiplied ((a{10}){200} = 2000). */
export const MAX_REPEAT_COUNT = 1000;

/**
 * Largest total of counted repeats RE2 expands: each {n,m} times the counts around it, summed.
 * RE2 compiles a{1000} as 1000 copies of a: \w{1000} ten times took 350 ms and a hundred times
 * exhausted re2-wasm's fixed 16 MB heap (an abort that kills the engine for every call).
 */
export const MAX_REPEAT_EXPANSION = 2000;

/**
 * How many copies RE2 makes through counted repeats: the sum over each {n}, {n,} or {n,m} of its
 * count (m, else n) times the counts of the counted repeats it sits in. Reads any PCRE-like pattern
 * (escapes and [...] skipped), so the runtime can check script patterns before RE2 sees them.
 */
export function repeatExpansion(p: string): number {
  const groupStart: number[] = [];
  let total = 0;
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "[") {
      i++;
      if (p[i] === "^") i++;
      if (p[i] === "]") i++;
      while (i < p.length && p[i] !== "]") i += p[i] === "\\" ? 2 : p[i] === "[" && p[i + 1] === ":" ? Math.max(2, p.indexOf(":]", i) + 2 - i) : 1;
      i++;
      continue;
    }
    if (c === "(") groupStart.push(i);
    if (c === ")") {
      // The group's own repeat (if any) multiplies what is inside it: charge the inside again.
      const start = groupStart.pop();
      const b = readBraces(p, i + 1);
      if (start !== undefined && b) {
        const n = b.max === Infinity ? b.min : b.max;
        const inner = repeatExpansion(p.slice(start + 1, i)) + 1;
        total += inner * (n - 1);
        i += 1 + b.length;
        continue;
      }
    }
    if (c === "{") {
      const b = readBraces(p, i);
      if (b) {
        total += b.max === Infinity ? b.min : b.max;
        i += b.length;
        continue;
      }
    }
    i++;
  }
  return total;
}

/**
 * Longest subject the runtime matches. RE2 is linear, but exec with captures costs up to ~5 µs a
 * character, and re2-wasm has a fixed 16 MB heap that a multi-megabyte subject exhausts (an abort,
 * not an error). 8 KiB keeps the worst call to milliseconds on the SIP thread (2-17 ms measured for
 * "(1+)+(x)" on 8 KiB; a test without captures under 1 ms).
 */
export const MAX_SUBJECT_LENGTH = 8192;

/**
 * RE2's time is linear in the subject but also grows with the compiled program: a pattern of 400
 * dots matching 375 characters took 0.3-0.4 s in re2-wasm. So (pattern length + counted-repeat
 * copies) x subject length is capped too: 18 characters of pattern for an 8 KiB subject, 780 for
 * 128 digits. Worst measured at the cap: ~0.25 s (case-insensitive Unicode classes matching).
 */
export const MAX_MATCH_WORK = 100_000;

/**
 * Unicode property classes (\p…) in a pattern, times its counted-repeat copies: each compiles to
 * thousands of UTF-8 ranges (340 of them, or \pL{200}, overflowed the engine's heap after ~0.7 s).
 * The designer refuses \p altogether (PCRE and JavaScript read it differently).
 */
export const MAX_UNICODE_PROPERTIES = 4;

/** Reads `{n}`, `{n,}` or `{n,m}` at `i`; undefined if it is not a well-formed quantifier. */
export function readBraces(p: string, i: number): { length: number; min: number; max: number } | undefined {
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
  return { length: m[0].length, min, max };
}

