import { z } from "zod";
import { defineKind, DIGITS_RE, promptPath, single, ui, variableName } from "./spec";

/** Outcome key for a barge-in digit (`key_1`, `key_star`, `key_pound`). */
export function keyOutcome(digit: string): string {
  return digit === "*" ? "key_star" : digit === "#" ? "key_pound" : `key_${digit.toUpperCase()}`;
}

export const play = defineKind({
  kind: "play",
  label: "Play",
  category: "media",
  description:
    "Play a sound file, tone or silence (session:streamFile). Optionally the caller can interrupt it with keys, through an input callback.",
  params: z.object({
    file: promptPath("Prompt", "A file path (relative to sound_prefix), tone_stream://, silence_stream://ms or file_string://a!b", "", "error"),
    interruptKeys: ui(z.string().regex(DIGITS_RE, "Only 0-9, *, # and A-D").default(""), {
      widget: "digits",
      label: "Interrupt keys",
      help: "Keys that stop the prompt. Empty: the prompt plays to the end (digits stay queued for the next input node).",
    }),
    branchOnKey: ui(z.boolean().default(false), {
      widget: "boolean",
      label: "Branch on key",
      help: "One outcome per interrupt key; otherwise an interrupted prompt goes to Next.",
    }),
    keyVariable: ui(z.string().default(""), {
      widget: "variable",
      label: "Store key in",
      help: "Channel variable that receives the key that interrupted the prompt (optional).",
      advanced: true,
    }),
  }),
  outcomes: (p) => [
    { key: "next", label: p.interruptKeys && p.branchOnKey ? "Played" : "Next" },
    ...(p.branchOnKey ? uniqueDigits(p.interruptKeys).map((d) => ({ key: keyOutcome(d), label: `Key ${d}` })) : []),
  ],
  sessionMethods: ["setInputCallback", "streamFile", "unsetInputCallback", "setVariable"],
  waitsForCaller: true,
  files: (p) => [{ param: "file", path: p.file, root: "sounds" }],
  summary: (p) => p.file + (p.interruptKeys ? ` [${p.interruptKeys}]` : ""),
  check: (p) =>
    p.branchOnKey && p.interruptKeys === ""
      ? [{ param: "interruptKeys", severity: "warning", message: "Branch on key is on but there are no Interrupt keys, so there is nothing to branch on." }]
      : [],
});

export function uniqueDigits(keys: string): string[] {
  return [...new Set(keys.split(""))];
}

export const SAY_TYPES = [
  "NUMBER", "ITEMS", "PERSONS", "MESSAGES", "CURRENCY", "TIME_MEASUREMENT", "CURRENT_DATE", "CURRENT_TIME",
  "CURRENT_DATE_TIME", "TELEPHONE_NUMBER", "TELEPHONE_EXTENSION", "URL", "IP_ADDRESS", "EMAIL_ADDRESS",
  "POSTAL_ADDRESS", "ACCOUNT_NUMBER", "NAME_SPELLED", "NAME_PHONETIC", "SHORT_DATE_TIME",
] as const;
export const SAY_METHODS = ["N/A", "PRONOUNCED", "ITERATED", "COUNTED", "PRONOUNCED_YEAR"] as const;
export const SAY_GENDERS = ["", "MASCULINE", "FEMININE", "NEUTER"] as const;

export const say = defineKind({
  kind: "say",
  label: "Say",
  category: "media",
  description: "Speak a number, date, amount... from recorded sound files (session:say, mod_say_<language>).",
  params: z.object({
    text: ui(z.string().default(""), {
      widget: "template",
      template: true,
      required: "error",
      label: "Value",
      placeholder: "${account_balance}",
    }),
    language: ui(z.string().default("en"), { widget: "text", label: "Language (say module)" }),
    sayType: ui(z.enum(SAY_TYPES).default("NUMBER"), { widget: "select", label: "Type", options: SAY_TYPES }),
    method: ui(z.enum(SAY_METHODS).default("PRONOUNCED"), { widget: "select", label: "Method", options: SAY_METHODS }),
    gender: ui(z.enum(SAY_GENDERS).default(""), { widget: "select", label: "Gender", options: SAY_GENDERS, advanced: true }),
  }),
  outcomes: () => single(),
  sessionMethods: ["say"],
  // mod_say_<language>: en when the language is not a plain code.
  modules: (p) => [`mod_say_${/^[a-z]{2,3}$/.test(p.language) ? p.language : "en"}`],
  waitsForCaller: true,
  summary: (p) => `${p.sayType.toLowerCase()} ${p.text}`,
});

export const FLITE_VOICES = ["kal", "slt", "rms", "awb"] as const;

export const speak = defineKind({
  kind: "speak",
  label: "Speak",
  category: "media",
  description: "Text to speech (session:speak) with FreeSWITCH's mod_flite voices.",
  params: z.object({
    text: ui(z.string().default(""), {
      widget: "textarea",
      template: true,
      label: "Text",
      required: "error",
      speech: { voiceParam: "voice" },
    }),
    voice: ui(z.enum(["", ...FLITE_VOICES]).default(""), {
      widget: "select",
      label: "Voice",
      options: ["", ...FLITE_VOICES],
      help: "Empty: the flow's default voice.",
    }),
  }),
  outcomes: () => single(),
  sessionMethods: ["set_tts_params", "speak"],
  modules: () => ["mod_flite"],
  waitsForCaller: true,
  summary: (p) => `“${p.text.slice(0, 40)}”`,
});

export const phrase = defineKind({
  kind: "phrase",
  label: "Phrase",
  category: "media",
  description: "Play a phrase macro (session:sayPhrase): one of the Prompts page's phrases, or of FreeSWITCH's own phrase files.",
  params: z.object({
    name: ui(z.string().default(""), {
      widget: "phrase",
      label: "Phrase macro",
      placeholder: "queue_position",
      required: "error",
      help: "A phrase of the library (Prompts page, Phrases); exported bundles carry it as FreeSWITCH phrase XML.",
    }),
    data: ui(z.string().default(""), { widget: "template", template: true, label: "Data", help: "Matched against the phrase's input patterns; $1 in its items is the first group." }),
    language: ui(z.string().default(""), { widget: "text", label: "Language", help: "Empty: default_language or en." }),
  }),
  outcomes: () => single(),
  sessionMethods: ["sayPhrase"],
  waitsForCaller: true,
  summary: (p) => p.name + (p.data ? `(${p.data})` : ""),
});

export const sleep = defineKind({
  kind: "sleep",
  label: "Sleep",
  category: "media",
  description: "Pause with silence (session:sleep). Digits typed meanwhile stay queued.",
  params: z.object({
    ms: ui(z.number().int().min(1).max(3_600_000).default(1000), { widget: "number", unit: "ms", label: "Duration" }),
  }),
  outcomes: () => single(),
  sessionMethods: ["sleep"],
  waitsForCaller: true,
  summary: (p) => `${p.ms} ms`,
});

export const record = defineKind({
  kind: "record",
  label: "Record",
  category: "media",
  description:
    "Record the caller to a WAV file under the recordings folder (session:recordFile) until a stop key, the time limit, or silence; stores the file's full path in a variable.",
  params: z.object({
    path: ui(z.string().default("${uuid}.wav"), {
      widget: "template",
      template: true,
      required: "error",
      label: "File path",
      placeholder: "voicemail/${caller_id_number}-${uuid}.wav",
      help:
        "Relative to the recordings folder (ivr serve --recordings, IVR_RECORDINGS_DIR; $${recordings_dir} on FreeSWITCH). " +
        "${var} fills in a name from a channel variable (e.g. ${uuid}); characters other than letters, digits and - _ . + @ = , become _, so a variable never adds a folder.",
    }),
    maxSeconds: ui(z.number().int().min(0).max(86_400).default(120), {
      widget: "number",
      unit: "s",
      label: "Max length",
      help: "0 = unlimited.",
    }),
    silenceThreshold: ui(z.number().int().min(0).max(32767).default(200), {
      widget: "number",
      label: "Silence threshold",
      help: "Energy below which audio counts as silence; 0 disables silence detection.",
    }),
    silenceSeconds: ui(z.number().int().min(0).max(3600).default(3), {
      widget: "number",
      unit: "s",
      label: "Silence to stop",
    }),
    stopKeys: ui(z.string().regex(DIGITS_RE, "Only 0-9, *, # and A-D").default("#"), {
      widget: "digits",
      label: "Stop keys",
      help: "Keys that end the recording. Empty: keys are ignored.",
    }),
    beep: ui(z.boolean().default(true), { widget: "boolean", label: "Beep before recording" }),
    variable: variableName("Store path in", "Channel variable that receives the file path.", "recording_path"),
  }),
  outcomes: () => single(),
  sessionMethods: ["streamFile", "setInputCallback", "recordFile", "unsetInputCallback", "setVariable"],
  waitsForCaller: true,
  files: (p) => [{ param: "path", path: p.path, root: "recordings" }],
  summary: (p) => `${p.path} (≤${p.maxSeconds || "∞"} s)`,
});
