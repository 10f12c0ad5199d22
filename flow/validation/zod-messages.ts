// Zod issues in words a flow author understands. Used as a per-parse error map, so the
// catalog's own messages ("HH:MM", "Letters, digits and _ only") still win.
import type { z } from "zod";

const TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "on or off (true/false)",
  array: "a list",
  object: "a group of fields",
};

/** Predicates produced here read as "<Param> must be …"; anything else is a catalog message. */
export const PREDICATE_MARK = "\u0000";

function listValues(values: readonly unknown[]): string {
  const shown = values.slice(0, 8).map((v) => (v === "" ? "(empty)" : String(v)));
  return shown.join(", ") + (values.length > 8 ? `, … (${values.length} in all)` : "");
}

function predicate(iss: z.core.$ZodRawIssue): string | undefined {
  const i = iss as unknown as Record<string, unknown>;
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "is required";
      return `must be ${TYPE_WORDS[String(i.expected)] ?? String(i.expected)}`;
    case "too_small": {
      const min = Number(i.minimum);
      if (i.origin === "string") return min <= 1 ? "cannot be empty" : `must be at least ${min} characters`;
      if (i.origin === "array") return `needs at least ${min} item${min === 1 ? "" : "s"}`;
      return i.inclusive === false ? `must be more than ${min}` : `must be at least ${min}`;
    }
    case "too_big": {
      const max = Number(i.maximum);
      if (i.origin === "string") return `must be at most ${max} characters`;
      if (i.origin === "array") return `can have at most ${max} item${max === 1 ? "" : "s"}`;
      return i.inclusive === false ? `must be less than ${max}` : `must be at most ${max}`;
    }
    case "invalid_value":
      return `must be one of: ${listValues((i.values as unknown[]) ?? [])}`;
    case "invalid_format":
      return "is not in the expected format";
    default:
      return undefined;
  }
}

export const friendlyZodError = (iss: z.core.$ZodRawIssue): string | undefined => {
  const p = predicate(iss);
  return p === undefined ? undefined : PREDICATE_MARK + p;
};

/** "<words> must be …" or "<words> is not valid: <catalog message>". */
export function issueSentence(words: string, message: string): string {
  if (message.startsWith(PREDICATE_MARK)) return `${words} ${message.slice(1)}`;
  return `${words} is not valid: ${message}`;
}
