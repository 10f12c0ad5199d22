// Passing a pattern to mod_commands' `regex` API unchanged. The API splits its argument
// with switch_separate_string(), which treats `'` as quotes, drops leading/trailing
// spaces, and turns \n \r \t \s \' \" \\ and \<delimiter> into single characters. The
// pattern is rewritten here to an equivalent PCRE pattern free of those sequences:
// hex escapes (\x27) say the same thing to PCRE and mean nothing to the splitter.

/** Delimiters `regex m:<d>subject<d>pattern` accepts (mod_commands.c regex_function). */
export const REGEX_DELIMITERS = ["~", "/", "|"] as const;
export type RegexDelimiter = (typeof REGEX_DELIMITERS)[number];

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** Pick the delimiter: the first candidate absent from the pattern; `~` otherwise (it is then hex-escaped). */
export function regexDelimiter(pattern: string): RegexDelimiter {
  return REGEX_DELIMITERS.find((d) => !pattern.includes(d)) ?? "~";
}

/** `pattern` rewritten so that FreeSWITCH's argument splitter hands PCRE the same regex. */
export function fsRegexArg(pattern: string, delim: RegexDelimiter): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) {
      const e = pattern[++i];
      if (e === "n" || e === "r" || e === "t") out += hex(e === "n" ? "\n" : e === "r" ? "\r" : "\t");
      else if (e === "s") out += inClass ? "\\x09-\\x0d\\x20" : "[\\x09-\\x0d\\x20]";
      else if (e === "\\" || e === "'" || e === '"' || e === " " || e === delim) out += hex(e);
      else out += `\\${e}`;
      continue;
    }
    if (c === "[" && !inClass) {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (pattern[i + 1] === "^") out += pattern[++i];
      if (pattern[i + 1] === "]") out += pattern[++i];
      continue;
    }
    if (c === "]" && inClass) inClass = false;
    // Outside an escape, `~` and `/` are plain characters to PCRE; `|` is only the
    // delimiter when the pattern has none.
    if (c === "'" || c === " " || c === "\\" || (c === delim && delim !== "|")) out += hex(c);
    else out += c;
  }
  return out;
}
