// Every regular expression a script or flow hands the runtime goes through here (playAndGetDigits,
// the `regex` API, phrase inputs). They run on the SIP/script thread, so JavaScript's backtracking
// RegExp is not an option: "^(1+)+$" against 30 ones and an x would freeze every call on the box.
// RE2 (re2-wasm: Google's RE2 built to WebAssembly, no native build) matches in time linear in the
// subject. FreeSWITCH uses PCRE; what RE2 cannot express (backreferences, lookaround, atomic groups,
// possessive quantifiers, recursion) is refused with a reason, never run on a backtracking fallback.
import re2 from "re2-wasm";
import {
  MAX_MATCH_WORK,
  MAX_PATTERN_LENGTH,
  MAX_REPEAT_COUNT,
  MAX_REPEAT_EXPANSION,
  MAX_SUBJECT_LENGTH,
  MAX_UNICODE_PROPERTIES,
  repeatExpansion,
} from "../flow/regex-limits";

// The limits are shared with the designer's check (flow/regex-limits.ts); re-exported for callers here.
export { MAX_MATCH_WORK, MAX_PATTERN_LENGTH, MAX_SUBJECT_LENGTH, MAX_UNICODE_PROPERTIES };

type Re2 = InstanceType<typeof re2.RE2>;

/**
 * re2-wasm's heap is a fixed 16 MB: a pattern whose program does not fit makes Emscripten abort,
 * and an aborted module fails every later call. So on an abort the module is loaded afresh (a new
 * WebAssembly instance) and only that pattern gets an error. The first load is a plain import
 * (bundlers keep re2-wasm external); the reload goes through Node's own require cache.
 */
let RE2: typeof re2.RE2 = re2.RE2;

function loadFreshRe2(): typeof re2.RE2 {
  const { createRequire } = process.getBuiltinModule("node:module") as typeof import("node:module");
  const req = createRequire(import.meta.url);
  for (const key of Object.keys(req.cache)) {
    if (key.includes("/re2-wasm/") || key.includes("\\re2-wasm\\")) delete req.cache[key];
  }
  return (req("re2-wasm") as typeof re2).RE2;
}

/** Whether an error is the engine dying (Emscripten abort), not a refusal of the pattern. */
function isEngineAbort(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || /^abort\(|Cannot enlarge memory/.test(String((e as Error)?.message ?? e));
}

function reloadEngine(): void {
  cache.clear(); // the old instance's wrappers die with it
  RE2 = loadFreshRe2();
}

/** Runs `f` on the engine; an abort reloads the engine and becomes a SafeRegexError. */
function onEngine<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!isEngineAbort(e)) throw e;
    reloadEngine();
    throw new SafeRegexError("the pattern needs more memory than the regex engine has (16 MB)");
  }
}

/**
 * re2-wasm never frees a compiled pattern, and its heap is a fixed 16 MB: ~4,000 compiles and the
 * engine aborts for good. So compiled patterns live in this small LRU cache, and an evicted one is
 * freed (its embind wrapper's delete()). A SafeRegex looks its pattern up at each use, so a
 * playAndGetDigits waiting for keys never holds a pattern that another call's compile freed.
 */
const CACHE_SIZE = 64;
const cache = new Map<string, Re2>();

function release(re: Re2): void {
  (re as unknown as { wrapper?: { delete?: () => void } }).wrapper?.delete?.();
}

function cached(source: string, flags: string): Re2 {
  const key = `${flags}/${source}`;
  let re = cache.get(key);
  if (re) {
    cache.delete(key); // most recently used goes last
  } else {
    re = new RE2(source, flags);
    if (cache.size >= CACHE_SIZE) {
      const [oldKey, oldest] = cache.entries().next().value as [string, Re2];
      cache.delete(oldKey);
      release(oldest);
    }
  }
  cache.set(key, re);
  return re;
}

/** A compiled pattern: exec gives [whole, $1, $2...] (undefined for a group that took no part) or null. */
export interface SafeRegex {
  readonly source: string;
  readonly flags: string;
  exec(subject: string): (string | undefined)[] | null;
  test(subject: string): boolean;
}

export type SafeRegexResult = { ok: true; regex: SafeRegex } | { ok: false; reason: string };

/** Why RE2 refuses a construct, in words a script author can act on. */
function explainRe2Error(pattern: string, message: string): string {
  if (/\\[1-9]|\\k<|\\g\{?\d/.test(pattern) && /escape/.test(message)) {
    return "backreferences (\\1, \\k<name>) are not supported: matching runs on RE2, which has none";
  }
  if (/\(\?<?[=!]/.test(pattern)) return "lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported: matching runs on RE2, which has none";
  if (/\(\?>/.test(pattern)) return "atomic groups (?>…) are not supported: matching runs on RE2";
  if (/[*+?}]\+/.test(pattern) && /repetition|repeat/.test(message)) return "possessive quantifiers (a*+) are not supported: matching runs on RE2";
  if (/\(\?R\)|\(\?\d/.test(pattern)) return "recursion (?R) is not supported: matching runs on RE2";
  if (/repetition size/.test(message)) return `a repeat count above ${MAX_REPEAT_COUNT} (or nested repeats multiplying above ${MAX_REPEAT_COUNT}) is too large`;
  if (/too large|too big|pattern too/.test(message)) return "the pattern is too large to compile within the memory budget";
  // "Invalid regular expression: /p/u: invalid escape sequence: \1" -> "invalid escape sequence: \1"
  return message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "");
}

/** Compiles `source` with `flags` (any of i, s, m) on RE2, or says why it cannot. */
export function compileSafeRegex(source: string, flags = ""): SafeRegexResult {
  if (source.length > MAX_PATTERN_LENGTH) {
    return { ok: false, reason: `the pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  const bad = flags.replace(/[ism]/g, "");
  if (bad) return { ok: false, reason: `unsupported flag ${bad[0]}` };
  const expansion = repeatExpansion(source);
  if (expansion > MAX_REPEAT_EXPANSION) {
    return { ok: false, reason: `its counted repeats expand to about ${expansion} copies, above the ${MAX_REPEAT_EXPANSION} allowed` };
  }
  // A Unicode property class (\pL) compiles to thousands of UTF-8 ranges; a few are plenty for an IVR.
  const properties = (source.match(/\\[pP]/g) ?? []).length;
  if (properties * Math.max(1, expansion) > MAX_UNICODE_PROPERTIES) {
    return { ok: false, reason: `too many Unicode property classes (\\p…) with their repeats: at most ${MAX_UNICODE_PROPERTIES}` };
  }
  // "u" is required by re2-wasm; it reads the pattern as code points, as PCRE in UTF-8 mode does.
  const re2Flags = `${[...new Set(flags)].sort().join("")}u`;
  try {
    onEngine(() => cached(source, re2Flags));
  } catch (e) {
    if (e instanceof SafeRegexError) return { ok: false, reason: e.message };
    return { ok: false, reason: explainRe2Error(source, (e as Error).message) };
  }
  const compiled = () => {
    const re = cached(source, re2Flags);
    re.lastIndex = 0;
    return re;
  };
  const size = source.length + expansion;
  const checkLength = (subject: string) => {
    if (subject.length > MAX_SUBJECT_LENGTH) {
      throw new SafeRegexError(`the subject is longer than ${MAX_SUBJECT_LENGTH} characters`);
    }
    if (size * subject.length > MAX_MATCH_WORK) {
      throw new SafeRegexError(
        `pattern and subject are too large together (${size} x ${subject.length} characters; at most ${MAX_MATCH_WORK})`,
      );
    }
  };
  const exec = (subject: string): (string | undefined)[] | null => {
    checkLength(subject);
    const m = onEngine(() => compiled().exec(subject));
    return m ? Array.from(m) : null;
  };
  // No captures wanted: RE2 can answer with its DFA, far cheaper than exec's capture tracking.
  const test = (subject: string): boolean => {
    checkLength(subject);
    return onEngine(() => compiled().test(subject));
  };
  return { ok: true, regex: { source, flags, exec, test } };
}

/** A subject too long to match: the caller treats it like a failed compile (error logged). */
export class SafeRegexError extends Error {}

/**
 * A FreeSWITCH regex expression, as switch_regex_perform reads it: "/pattern/flags" (i caseless,
 * s dot-all; other letters ignored) or a plain pattern.
 */
export function compileFsRegex(expression: string): SafeRegexResult {
  let source = expression;
  let flags = "";
  if (source.startsWith("/")) {
    const end = source.lastIndexOf("/");
    if (end <= 0) return { ok: false, reason: "missing ending '/' delimiter" };
    const opts = source.slice(end + 1);
    source = source.slice(1, end);
    if (opts.includes("i")) flags += "i";
    if (opts.includes("s")) flags += "s";
  }
  return compileSafeRegex(source, flags);
}

/** The line FreeSWITCH-style logs carry for a pattern that cannot be used (pattern shown, capped). */
export function regexErrorLine(pattern: string, reason: string): string {
  const shown = pattern.length > 200 ? `${pattern.slice(0, 200)}…` : pattern;
  return `COMPILE ERROR: [${shown}]: ${reason}`;
}
