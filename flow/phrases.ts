// Phrase macros: FreeSWITCH's phrase XML (lang/<lang>/ivr/*.xml, played by sayPhrase), as the
// designer edits them. A macro is a list of inputs; each input's pattern (a regex) is matched
// against the data (or a field), and its match or nomatch items play in order: a prompt file
// (play-file), a say (mod_say), a TTS text (speak-text) or a pause (execute sleep). `$1`...
// in an item is the pattern's capture group, ${var} a channel variable, as in FreeSWITCH.
// The runtime plays them (runtime/session/phrases.ts), the export writes them as phrase XML
// (generators/phrase-xml.ts); both follow switch_ivr_phrase_macro_event.
import { z } from "zod";
import { FLITE_VOICES, SAY_GENDERS, SAY_METHODS, SAY_TYPES } from "./catalog/media";
import { parseParams } from "./catalog";
import type { FlowGraph } from "./graph";
import { filePathProblem, isSoundFile, soundParts } from "./file-paths";
import { renamePromptInSource } from "./prompts";
import { MAX_PATTERN_LENGTH } from "./regex-limits";
import { checkPortableRegex } from "./regex-subset";

/** Macro names: what sayPhrase names. No '@' (FreeSWITCH's macro@group) and nothing XML could mangle. */
export const PHRASE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/;
/** Language codes as FreeSWITCH's lang folders name them (en, en-US, pt_BR). */
export const PHRASE_LANGUAGE_RE = /^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$/;
/** FreeSWITCH's pause after every action when the macro sets none. */
export const DEFAULT_PHRASE_PAUSE_MS = 100;
/** Characters XML 1.0 cannot carry (tab, newline and carriage return it can). */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export const phraseItemSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("file"), file: z.string().max(1000) }),
  z.object({
    type: z.literal("say"),
    text: z.string().max(1000),
    sayType: z.enum(SAY_TYPES).default("NUMBER"),
    method: z.enum(SAY_METHODS).default("PRONOUNCED"),
    gender: z.enum(SAY_GENDERS).default(""),
  }),
  z.object({
    type: z.literal("speak"),
    text: z.string().max(4000),
    engine: z.enum(["flite"]).default("flite"),
    voice: z.enum(FLITE_VOICES).default("kal"),
  }),
  z.object({ type: z.literal("pause"), ms: z.number().int().min(1).max(60_000) }),
]);

export const phraseInputSchema = z.object({
  /** A regular expression on the field (FreeSWITCH's default: .*). */
  pattern: z.string().max(MAX_PATTERN_LENGTH).default("^(.*)$"),
  /** What the pattern is matched against: empty = the data sayPhrase was given; may hold ${var}. */
  field: z.string().max(1000).default(""),
  /** break_on_match: once this input played its match or nomatch items, the inputs after it are not tried. */
  breakOnMatch: z.boolean().default(false),
  match: z.array(phraseItemSchema).max(200).default([]),
  nomatch: z.array(phraseItemSchema).max(200).default([]),
});

export const phraseMacroSchema = z.object({
  name: z.string(),
  language: z.string().default("en"),
  description: z.string().max(1000).default(""),
  /** Silence after every item (the macro's pause attribute). */
  pauseMs: z.number().int().min(0).max(10_000).default(DEFAULT_PHRASE_PAUSE_MS),
  inputs: z.array(phraseInputSchema).max(100),
});

export type PhraseItem = z.output<typeof phraseItemSchema>;
export type PhraseInput = z.output<typeof phraseInputSchema>;
export type PhraseMacro = z.output<typeof phraseMacroSchema>;
export type PhraseMacroInput = z.input<typeof phraseMacroSchema>;

export const PHRASE_ITEM_LABELS: Record<PhraseItem["type"], string> = {
  file: "play file",
  say: "say",
  speak: "speak text",
  pause: "pause",
};

/**
 * Macros FreeSWITCH 1.10's stock conf/lang/en includes before ivr/*.xml (demo/, vm/sounds.xml,
 * dir/sounds.xml): a macro of the same name in our file never plays there (the first one wins).
 */
export const STOCK_EN_MACROS_BEFORE_IVR: ReadonlyMap<string, string> = new Map([
  ...["demo_ivr_count", "demo_ivr_main_menu", "demo_ivr_main_menu_short", "demo_ivr_sub_menu", "demo_ivr_sub_menu_short", "msgcount", "saydate", "timespec", "ip-addr", "spell", "spell-phonetic", "tts-timeleft", "funny_prompts", "new_demo_ivr_main_menu", "new_demo_ivr_main_menu_short", "learn_about_freeswitch_sub_menu", "learn_about_freeswitch_solutions_sub_menu", "learn_about_cluecon_sub_menu"].map((n) => [n, "demo/"] as const),
  ...["voicemail_enter_id", "voicemail_enter_pass", "voicemail_fail_auth", "voicemail_change_pass_success", "voicemail_change_pass_fail", "voicemail_hello", "voicemail_goodbye", "voicemail_abort", "voicemail_message_count", "voicemail_menu", "voicemail_config_menu", "voicemail_record_name", "voicemail_record_file_check", "voicemail_record_urgent_check", "voicemail_forward_prepend", "voicemail_forward_message_enter_extension", "voicemail_invalid_extension", "voicemail_listen_file_check", "voicemail_choose_greeting", "voicemail_choose_greeting_fail", "voicemail_record_greeting", "voicemail_record_message", "voicemail_greeting_selected", "voicemail_play_greeting", "voicemail_say_number", "voicemail_say_message_number", "voicemail_say_phone_number", "voicemail_say_name", "voicemail_ack", "voicemail_say_date", "voicemail_disk_quota_exceeded", "valet_announce_ext", "valet_lot_full", "valet_lot_empty"].map((n) => [n, "vm/sounds.xml"] as const),
  ...["directory_intro", "directory_min_search_digits", "directory_result_count", "directory_result_count_too_large", "directory_result_last", "directory_result_item", "directory_result_at", "directory_result_menu", "directory_result_say_name"].map((n) => [n, "dir/sounds.xml"] as const),
]);

export interface PhraseDiagnostic {
  severity: "error" | "warning";
  /** Where in the macro: "name", "inputs.0.pattern", "inputs.1.match.2.file"... */
  path: string;
  message: string;
}

export interface PhraseCheckOptions {
  /** Whether a prompt file exists where the macro plays (the validator's IVR1030 rule); undefined: not checked. */
  knownPrompt?: (path: string) => boolean;
}

/** "input 2, match item 3 (say)": where an item is, in words, for messages. */
export function describePhrasePath(macro: PhraseMacro, path: string): string {
  const m = /^inputs\.(\d+)(?:\.(match|nomatch|pattern|field)(?:\.(\d+))?)?/.exec(path);
  if (!m) return path === "name" ? "the name" : path;
  const input = `input ${Number(m[1]) + 1}`;
  if (!m[2]) return input;
  if (m[3] === undefined) return `${input}, ${m[2]}`;
  const item = macro.inputs[Number(m[1])]?.[m[2] as "match" | "nomatch"]?.[Number(m[3])];
  return `${input}, ${m[2]} item ${Number(m[3]) + 1}${item ? ` (${PHRASE_ITEM_LABELS[item.type]})` : ""}`;
}

/** Capture-group references ($1, ${2}) in an item's text, as switch_perform_substitution reads them. */
export function groupRefs(text: string): number[] {
  return [...text.matchAll(/\$(\d+)|\$\{(\d+)\}/g)].map((m) => Number(m[1] ?? m[2]));
}

/**
 * Whether a pattern repeats a group that itself repeats ((a+)+, (\d*)*, (x{2,})+): such patterns
 * can take exponential time on a crafted field (the data may come from the caller) in FreeSWITCH's
 * PCRE, where the exported macros run. (Our runtime matches on RE2, linear: runtime/safe-regex.ts.)
 * Escapes and [...] are skipped.
 */
export function hasNestedRepeat(pattern: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  const repeatAt = (i: number) => pattern[i] === "*" || pattern[i] === "+" || (pattern[i] === "{" && /^\{\d*,?\d*\}/.test(pattern.slice(i)) && !/^\{\d+\}/.test(pattern.slice(i)));
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") stack.push(false);
    else if (c === ")") {
      const inner = stack.pop() ?? false;
      if (inner && repeatAt(i + 1)) return true;
      if (stack.length && (inner || repeatAt(i + 1))) stack[stack.length - 1] = true;
    } else if (repeatAt(i) && stack.length) stack[stack.length - 1] = true;
  }
  return false;
}

/** Capture groups a (portable) pattern has: plain "(" not followed by "?", outside [...] and escapes. */
export function captureGroupCount(pattern: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(" && pattern[i + 1] !== "?") n++;
  }
  return n;
}

function itemText(item: PhraseItem): { param: string; text: string } | undefined {
  if (item.type === "file") return { param: "file", text: item.file };
  if (item.type === "say" || item.type === "speak") return { param: "text", text: item.text };
  return undefined;
}

/**
 * Everything wrong with a macro, each pointing at its place. Errors make FreeSWITCH refuse or
 * misplay the macro; warnings are legal but probably not what the author meant.
 */
export function checkPhrase(macro: PhraseMacro, options: PhraseCheckOptions = {}): PhraseDiagnostic[] {
  const out: PhraseDiagnostic[] = [];
  const at = (severity: PhraseDiagnostic["severity"], path: string, message: string) => {
    const where = describePhrasePath(macro, path);
    out.push({ severity, path, message: path === "name" || path === "language" ? message : `${where[0].toUpperCase()}${where.slice(1)}: ${message}` });
  };
  if (!PHRASE_NAME_RE.test(macro.name)) {
    at("error", "name", macro.name ? `The name "${macro.name.slice(0, 80)}" is not allowed: 1-80 letters, digits, _ - and ., starting with a letter, digit or _.` : "The phrase needs a name.");
  }
  const stock = macro.language === "en" ? STOCK_EN_MACROS_BEFORE_IVR.get(macro.name) : undefined;
  if (stock) {
    at("warning", "name", `FreeSWITCH's stock phrase files define "${macro.name}" too (lang/en/${stock}), and load them before ivr/: on a stock FreeSWITCH that one plays, not this one. Choose another name for the export to take effect there.`);
  }
  if (!PHRASE_LANGUAGE_RE.test(macro.language)) {
    at("error", "language", `The language "${macro.language.slice(0, 20)}" is not a language code (en, en-US, fr...).`);
  }
  if (macro.inputs.length === 0) at("error", "inputs", "The phrase has no input, so FreeSWITCH plays nothing (\"Can't find any input tags\").");
  macro.inputs.forEach((input, i) => {
    const base = `inputs.${i}`;
    for (const key of ["pattern", "field"] as const) {
      if (CONTROL_CHARS.test(input[key])) at("error", `${base}.${key}`, `the ${key} holds a control character, which a phrase file cannot carry.`);
    }
    const reason = checkPortableRegex(input.pattern);
    let groups = 0;
    if (reason) at("error", `${base}.pattern`, `the pattern ${JSON.stringify(input.pattern.slice(0, 60))} cannot be used: ${reason}.`);
    else if (hasNestedRepeat(input.pattern)) {
      at("error", `${base}.pattern`, "the pattern repeats a group that itself repeats (like (a+)+), which can take exponential time on a crafted value; repeat the inside or the group, not both.");
    }
    else {
      try {
        new RegExp(input.pattern);
        groups = captureGroupCount(input.pattern);
      } catch (e) {
        at("error", `${base}.pattern`, `the pattern is not a valid regular expression (${(e as Error).message}).`);
      }
    }
    if (input.match.length === 0 && input.nomatch.length === 0) at("warning", base, "it has no items for a match nor for no match, so it plays nothing.");
    for (const branch of ["match", "nomatch"] as const) {
      input[branch].forEach((item, j) => {
        const path = `${base}.${branch}.${j}`;
        const t = itemText(item);
        if (t && CONTROL_CHARS.test(t.text)) {
          at("error", `${path}.${t.param}`, "the text holds a control character (NUL, ESC...), which a phrase file cannot carry; use plain text, tabs and newlines.");
          return;
        }
        if (t && !t.text.trim()) {
          at("error", `${path}.${t.param}`, item.type === "file" ? "the file to play is empty." : "the text is empty.");
          return;
        }
        if (t) {
          for (const g of groupRefs(t.text)) {
            if (branch === "nomatch") at("warning", `${path}.${t.param}`, `$${g} stays as written: FreeSWITCH fills in capture groups only when the pattern matched.`);
            else if (!reason && g > groups) {
              at("warning", `${path}.${t.param}`, groups === 0
                ? `$${g} stays empty: the pattern has no capture group (put the part to use in parentheses, e.g. ^(\\d+)$).`
                : `$${g} stays empty: the pattern has only ${groups} capture group${groups === 1 ? "" : "s"}.`);
            }
          }
        }
        const outside = item.type === "file" ? filePathProblem(item.file, "sounds") : undefined;
        if (outside) {
          at("error", `${path}.file`, `"${t?.text.slice(0, 80)}" ${outside}.`);
          return;
        }
        if (item.type === "file" && options.knownPrompt) {
          for (const part of soundParts(item.file)) {
            const f = part.trim();
            if (!isSoundFile(f) || options.knownPrompt(f)) continue;
            at("warning", `${path}.file`, `the prompt "${f.slice(0, 80)}" is neither in the prompt library nor in the sounds folder of this server; callers would hear nothing there.`);
          }
        }
      });
    }
  });
  return out;
}

/** Parse a macro as stored or sent; throws zod's error for a wrong shape. */
export function parsePhrase(raw: unknown): PhraseMacro {
  return phraseMacroSchema.parse(raw);
}

/** The prompt files a macro plays (literal ones: not $1 or ${var}), in order, without duplicates. */
export function phrasePromptRefs(macro: PhraseMacro): string[] {
  const refs = new Set<string>();
  for (const input of macro.inputs) {
    for (const item of [...input.match, ...input.nomatch]) {
      if (item.type !== "file" || /\$\d|\$\{\d+\}/.test(item.file)) continue;
      for (const part of soundParts(item.file)) if (isSoundFile(part)) refs.add(part.trim());
    }
  }
  return [...refs];
}

/** A macro with every play of `from` (a prompt path, also inside file_string://) now playing `to`. */
export function renamePromptInPhrase(macro: PhraseMacro, from: string, to: string): PhraseMacro {
  const swap = (items: PhraseItem[]) => items.map((it) => (it.type === "file" ? { ...it, file: renamePromptInSource(it.file, from, to) } : it));
  return { ...macro, inputs: macro.inputs.map((input) => ({ ...input, match: swap(input.match), nomatch: swap(input.nomatch) })) };
}

/** One <action> of FreeSWITCH's phrase XML: function, data, and its other attributes. */
export interface PhraseAction {
  function: "play-file" | "say" | "speak-text" | "execute";
  data: string;
  /** method/type/gender (say), tts-engine/tts-voice (speak-text). */
  attrs: Record<string, string>;
}

/** The FreeSWITCH action an item is: the phrase XML writes it, the runtime plays it. */
export function phraseAction(item: PhraseItem): PhraseAction {
  switch (item.type) {
    case "file":
      return { function: "play-file", data: item.file, attrs: {} };
    case "say":
      return {
        function: "say",
        data: item.text,
        attrs: { method: item.method.toLowerCase(), type: item.sayType.toLowerCase(), ...(item.gender ? { gender: item.gender.toLowerCase() } : {}) },
      };
    case "speak":
      return { function: "speak-text", data: item.text, attrs: { "tts-engine": item.engine, "tts-voice": item.voice } };
    case "pause":
      // The phrase XML's own "sleep" function does nothing in switch_ivr_phrase_macro_event: pauses are the sleep app.
      return { function: "execute", data: `sleep(${item.ms})`, attrs: {} };
  }
}

/** The phrase macros a flow's Phrase nodes play: name and language (as the runtime resolves it), or "any" for ${var}s. */
export function phraseRefs(flow: FlowGraph): Array<{ nodeId: string; name: string; language: string }> {
  const out: Array<{ nodeId: string; name: string; language: string }> = [];
  for (const node of flow.nodes) {
    if (node.kind !== "phrase") continue;
    const p = parseParams("phrase", node.params);
    if (!p || !p.name) continue;
    const language = p.language || flow.settings.language || "en";
    out.push({ nodeId: node.id, name: p.name.includes("${") ? "*" : p.name, language: language.includes("${") ? "*" : language });
  }
  return out;
}

/** Whether a macro serves a reference (exact language, or "en" for "en-US" as FreeSWITCH falls back; "*" any). */
export function phraseServes(m: PhraseMacro, ref: { name: string; language: string }): boolean {
  if (ref.name !== "*" && ref.name !== m.name) return false;
  return ref.language === "*" || ref.language === m.language || ref.language.split("-")[0] === m.language;
}

/** The library's macros a flow uses, in library order. */
export function phrasesUsedBy(flow: FlowGraph, library: readonly PhraseMacro[]): PhraseMacro[] {
  const refs = phraseRefs(flow);
  return library.filter((m) => refs.some((r) => phraseServes(m, r)));
}
