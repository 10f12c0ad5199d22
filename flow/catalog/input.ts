import { z } from "zod";
import {
  defineKind,
  type ParamFinding,
  millis,
  promptPath,
  sensitiveParam,
  terminatorsParam,
  ui,
  variableName,
} from "./spec";

/** A menu choice is a literal digit string (`1`, `*9`) or a regular expression (`[4-6]`, `7\d`). */
export const LITERAL_CHOICE_RE = /^[0-9*#A-D]+$/;

export function isLiteralChoice(key: string): boolean {
  return LITERAL_CHOICE_RE.test(key);
}

function escapeRegexLiteral(s: string): string {
  return s.replace(/[*#\\^$.|?+()[\]{}]/g, (c) => (c === "#" ? "#" : `\\${c}`));
}

/** The regex a choice is tested with: whole-string match, same text for PCRE and JavaScript. */
export function choiceRegex(key: string): string {
  return isLiteralChoice(key) ? `^${escapeRegexLiteral(key)}$` : `^(?:${key})$`;
}

/** The regex given to playAndGetDigits: any choice is valid input, anything else is retried. */
export function menuInputRegex(choices: ReadonlyArray<{ key: string }>): string {
  const alts = choices.map((c) => (isLiteralChoice(c.key) ? escapeRegexLiteral(c.key) : `(?:${c.key})`));
  return `^(?:${alts.join("|")})$`;
}

/** Min digits above Max digits: no entry can satisfy both. */
function digitBounds(p: { minDigits: number; maxDigits: number }): ParamFinding[] {
  return p.minDigits > p.maxDigits
    ? [{ param: "minDigits", severity: "error", message: `Min digits (${p.minDigits}) is more than Max digits (${p.maxDigits}); no entry can satisfy both.` }]
    : [];
}

const choiceSchema = z.object({
  key: ui(z.string().min(1, "A choice needs digits or a pattern"), {
    widget: "regex",
    label: "Digits or pattern",
    help: "Digits (1, 00, *) or a regular expression matched against the whole entry (e.g. [4-6]).",
  }),
  label: ui(z.string().default(""), { widget: "text", label: "Label" }),
});

export const menu = defineKind({
  kind: "menu",
  label: "Menu",
  category: "input",
  description:
    "Play a prompt and collect a choice (session:playAndGetDigits): invalid entries are retried with the invalid prompt; after the last try the Failed outcome is taken.",
  params: z.object({
    prompt: promptPath("Prompt", undefined, "", "error"),
    invalidPrompt: promptPath("Invalid prompt", "Played after every failed try (not interruptible).", ""),
    choices: ui(z.array(choiceSchema).default([]), {
      widget: "list",
      label: "Choices",
      help: "One outcome per choice, tested in order.",
    }),
    minDigits: ui(z.number().int().min(0).max(128).default(1), { widget: "number", unit: "digits", label: "Min digits" }),
    maxDigits: ui(z.number().int().min(1).max(128).default(1), { widget: "number", unit: "digits", label: "Max digits" }),
    tries: ui(z.number().int().min(1).max(20).default(3), { widget: "number", unit: "tries", label: "Tries" }),
    timeoutMs: millis("Timeout", 5000, "Wait for the first digit after the prompt."),
    digitTimeoutMs: millis("Inter-digit timeout", 0, "0 = same as Timeout.", true),
    terminators: terminatorsParam("#"),
    variable: variableName("Store digits in", "Channel variable set to the accepted entry (optional).", ""),
    transferOnFailure: ui(z.string().default(""), {
      widget: "text",
      label: "Transfer on failure",
      placeholder: "operator XML default",
      help: "FreeSWITCH transfers here after the last failed try (extension [dialplan [context]]). Empty: take Failed.",
      advanced: true,
    }),
    sensitive: sensitiveParam(),
  }),
  outcomes: (p) => [
    ...p.choices.map((c) => ({ key: c.key, label: c.label ? `${c.key} ${c.label}` : c.key })),
    { key: "failed", label: "Failed" },
  ],
  sessionMethods: ["playAndGetDigits"],
  files: (p) => [
    { param: "prompt", path: p.prompt, root: "sounds" },
    { param: "invalidPrompt", path: p.invalidPrompt, root: "sounds" },
  ],
  waitsForCaller: true,
  summary: (p) => `${p.prompt || "?"} → ${p.choices.map((c) => c.key).join(" ") || "no choices"}`,
  sensitiveParam: "sensitive",
  keyedList: { list: "choices", reserved: "failed", item: "choice" },
  patterns: (p) =>
    p.choices.flatMap((c, i) => (isLiteralChoice(c.key) ? [] : [{ param: `choices.${i}.key`, pattern: c.key }])),
  check: (p) => {
    const out = digitBounds(p);
    if (p.choices.length === 0) out.push({ param: "choices", severity: "error", message: "the menu has no choices; add at least one." });
    p.choices.forEach((c, i) => {
      if (!isLiteralChoice(c.key)) return;
      const param = `choices.${i}.key`;
      const n = c.key.length;
      if (n > p.maxDigits) {
        out.push({ param, severity: "error", message: `choice #${i + 1} "${c.key}" has ${n} digits but Max digits is ${p.maxDigits}, so the caller can never enter it.` });
      } else if (n < p.minDigits) {
        out.push({ param, severity: "error", message: `choice #${i + 1} "${c.key}" has ${n} digit(s) but Min digits is ${p.minDigits}, so the caller can never enter it.` });
      } else if (/^[0-9*#A-D]*$/.test(p.terminators)) {
        // Plain terminators end the entry and are not part of it (a +, = or x prefix changes that).
        const t = [...c.key].find((d) => p.terminators.includes(d));
        if (t) out.push({ param, severity: "warning", message: `choice #${i + 1} "${c.key}" contains ${t}, which is a Terminator: pressing it ends the entry instead.` });
      }
    });
    return out;
  },
});

export const readDigits = defineKind({
  kind: "read_digits",
  label: "Read digits",
  category: "input",
  description:
    "Play a prompt and read digits (session:read) into a variable. Next when enough digits were entered (and match the pattern, if given); otherwise Failed.",
  params: z.object({
    prompt: promptPath("Prompt"),
    minDigits: ui(z.number().int().min(1).max(128).default(1), { widget: "number", unit: "digits", label: "Min digits" }),
    maxDigits: ui(z.number().int().min(1).max(128).default(4), { widget: "number", unit: "digits", label: "Max digits" }),
    timeoutMs: millis("Timeout", 5000, "Wait for the first digit."),
    digitTimeoutMs: millis("Inter-digit timeout", 0, "0 = same as Timeout.", true),
    terminators: terminatorsParam("#"),
    regex: ui(z.string().default(""), {
      widget: "regex",
      label: "Pattern",
      help: "Optional regular expression the whole entry must match (e.g. \\d{4}).",
    }),
    variable: variableName("Store digits in", undefined, "digits", "error"),
    sensitive: sensitiveParam(),
  }),
  outcomes: () => [
    { key: "next", label: "Valid" },
    { key: "failed", label: "Failed" },
  ],
  sessionMethods: ["read", "setVariable"],
  files: (p) => [{ param: "prompt", path: p.prompt, root: "sounds" }],
  waitsForCaller: true,
  summary: (p) => `${p.minDigits}-${p.maxDigits} digits → ${p.variable}`,
  sensitiveParam: "sensitive",
  patterns: (p) => (p.regex ? [{ param: "regex", pattern: p.regex }] : []),
  check: digitBounds,
});

export const getDigits = defineKind({
  kind: "get_digits",
  label: "Get digits",
  category: "input",
  description:
    "Collect digits without a prompt (session:getDigits), with a first-digit timeout, an inter-digit timeout and an overall cap. Failed when nothing was typed.",
  params: z.object({
    maxDigits: ui(z.number().int().min(1).max(128).default(4), { widget: "number", unit: "digits", label: "Max digits" }),
    terminators: terminatorsParam("#"),
    timeoutMs: millis("First-digit timeout", 5000),
    interDigitMs: millis("Inter-digit timeout", 2000, "0 = same as the first-digit timeout."),
    overallMs: millis("Overall cap", 0, "0 = no cap."),
    variable: variableName("Store digits in", undefined, "digits", "error"),
    sensitive: sensitiveParam(),
  }),
  outcomes: () => [
    { key: "next", label: "Digits" },
    { key: "failed", label: "Nothing typed" },
  ],
  sessionMethods: ["getDigits", "setVariable"],
  waitsForCaller: true,
  summary: (p) => `≤${p.maxDigits} digits → ${p.variable}`,
  sensitiveParam: "sensitive",
});
