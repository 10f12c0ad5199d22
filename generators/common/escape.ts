// String literals for generated code. One mapper, one escaper per language: every user
// string (prompt path, regex, TTS text, variable name, URL, node id, custom code...) that
// reaches generated code goes through luaString() or tsString(), never through a template.

/** Printable ASCII that needs no escape in either language's double-quoted literal. */
const isPlainAscii = (u: number) => u >= 0x20 && u <= 0x7e && u !== 0x22 && u !== 0x5c;

/**
 * Build a function that maps a sequence of code units (bytes or UTF-16 units) to literal
 * text: printable units are copied, everything else goes through `escaper`.
 */
export function escapeNonPrintableMapper(
  isPrintable: (unit: number) => boolean,
  escaper: (unit: number) => string,
): (units: ArrayLike<number>) => string {
  // Precomputed ASCII table: the common case is a lookup, not a call.
  const ascii: string[] = [];
  for (let u = 0; u < 128; u++) ascii.push(isPrintable(u) ? String.fromCharCode(u) : escaper(u));
  return (units) => {
    let out = "";
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      out += u < 128 ? ascii[u] : isPrintable(u) ? String.fromCharCode(u) : escaper(u);
    }
    return out;
  };
}

const utf8 = new TextEncoder();

// Lua: decimal \ddd (always three digits, so a following digit cannot join the escape),
// for every byte outside printable ASCII: NUL, newlines, and each byte of UTF-8 text.
const luaBody = escapeNonPrintableMapper(isPlainAscii, (b) =>
  b === 0x22 ? '\\"' : b === 0x5c ? "\\\\" : `\\${String(b).padStart(3, "0")}`,
);

/** A Lua double-quoted string literal holding exactly the UTF-8 bytes of `s` (never long brackets). */
export function luaString(s: string): string {
  return `"${luaBody(utf8.encode(s))}"`;
}

// TypeScript: \uXXXX per UTF-16 unit for controls, non-ASCII (including U+2028/U+2029,
// which end a line in JavaScript) and lone surrogates.
const tsBody = escapeNonPrintableMapper(isPlainAscii, (u) =>
  u === 0x22 ? '\\"' : u === 0x5c ? "\\\\" : `\\u${u.toString(16).padStart(4, "0")}`,
);

function utf16Units(s: string): number[] {
  const units: number[] = new Array(s.length);
  for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
  return units;
}

/** A TypeScript double-quoted string literal equal to `s` (never a template literal). */
export function tsString(s: string): string {
  return `"${tsBody(utf16Units(s))}"`;
}

// Comments: only printable ASCII stays, so no newline or line separator can end the
// comment early; the rest is shown escaped.
const commentLua = escapeNonPrintableMapper((b) => b >= 0x20 && b <= 0x7e, (b) => `\\${String(b).padStart(3, "0")}`);
const commentTs = escapeNonPrintableMapper((u) => u >= 0x20 && u <= 0x7e, (u) => `\\u${u.toString(16).padStart(4, "0")}`);

/** Text safe inside a one-line comment (`-- ...` or `// ...`). */
export function commentText(s: string, lang: "lua" | "ts"): string {
  return lang === "lua" ? commentLua(utf8.encode(s)) : commentTs(utf16Units(s));
}
