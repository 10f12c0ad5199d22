// Destination patterns for gateway allow-lists, in the dial-pattern notation PBX admins know:
//   X any digit, Z 1-9, N 2-9, [1-5] [147] a class, . one or more of anything, ! zero or more,
//   any other character literally (digits, +, *, #).
// "1NXXNXXXXXX" = North American numbers, "+44." = anything in the UK, "1800." = US toll-free.
// A pattern matches the whole number, never a prefix: "911" does not allow "9115551234".
import { compileSafeRegex, SafeRegexError } from "../safe-regex";
import { DestinationError } from "./destination-error";

export interface DestinationPattern {
  source: string;
  test(destination: string): boolean;
}

const LITERAL_RE = /^[0-9A-Za-z+*#]$/;

export function compileDestinationPattern(pattern: string): DestinationPattern {
  const p = pattern.trim();
  if (p === "" || p.length > 64) throw new DestinationError(`allow pattern '${pattern}': 1 to 64 characters`);
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "X" || c === "x") re += "[0-9]";
    else if (c === "Z" || c === "z") re += "[1-9]";
    else if (c === "N" || c === "n") re += "[2-9]";
    else if (c === ".") re += ".+";
    else if (c === "!") re += ".*";
    else if (c === "[") {
      const end = p.indexOf("]", i);
      if (end < 0) throw new DestinationError(`allow pattern '${pattern}': unclosed '['`);
      const body = p.slice(i + 1, end);
      if (!/^(?:[0-9](?:-[0-9])?)+$/.test(body)) throw new DestinationError(`allow pattern '${pattern}': [..] takes digits and ranges like 1-5`);
      re += `[${body}]`;
      i = end;
    } else if (LITERAL_RE.test(c)) re += c.replace(/[+*]/, "\\$&");
    else throw new DestinationError(`allow pattern '${pattern}': unexpected '${c}'`);
  }
  // RE2 (linear time): "1.2.3.4." would backtrack polynomially on a long destination in RegExp.
  const compiled = compileSafeRegex(`^${re}$`);
  if (!compiled.ok) throw new DestinationError(`allow pattern '${pattern}': ${compiled.reason}`);
  const safe = compiled.regex;
  return {
    source: p,
    test: (d) => {
      try {
        return safe.test(d);
      } catch (e) {
        if (e instanceof SafeRegexError) return false; // a destination longer than any number
        throw e;
      }
    },
  };
}
