// Variable expansion as switch_channel_expand_variables does it for dialplan data:
// ${name} -> channel variable (or "" when unset), $${name} -> global variable.

export function expandVariables(
  text: string,
  channelVar: (name: string) => string | undefined,
  globalVar: (name: string) => string | undefined = () => undefined,
): string {
  if (!text.includes("$")) return text;
  return text.replace(/\$(\$?)\{([^{}]+)\}/g, (_m, global: string, name: string) =>
    (global ? globalVar(name) : channelVar(name)) ?? "",
  );
}

/**
 * Split dialplan application data on blanks; single quotes group words and are removed,
 * a backslash escapes the next character (switch_separate_string). At most `max` parts.
 */
export function separateString(data: string, max = 128): string[] {
  const out: string[] = [];
  let cur = "";
  let inQuote = false;
  let has = false;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === "\\" && i + 1 < data.length) {
      cur += data[++i];
      has = true;
    } else if (c === "'") {
      inQuote = !inQuote;
      has = true;
    } else if (c === " " && !inQuote) {
      if (has) {
        if (out.length === max - 1) {
          // The last part keeps the rest of the string, as FreeSWITCH does.
          out.push(cur + data.slice(i));
          return out;
        }
        out.push(cur);
      }
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}
