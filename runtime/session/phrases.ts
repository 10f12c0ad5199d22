// sayPhrase for this runtime: switch_ivr_phrase_macro_event (switch_ivr_play_say.c) over the
// phrase macros the designer defines (flow/phrases.ts). Same rules as FreeSWITCH:
// - the language is the argument, else default_language, else "en"; "en-US" falls back to "en";
// - every <input> is tried in order: its field (default: the data), ${var}-expanded, is matched
//   with the pattern; a match plays <match>, otherwise <nomatch>; break_on_match stops after an
//   input that played either (an empty list is written as no element at all);
// - in each action, $1..$n (and ${1}) are the capture groups, but only when the pattern has a
//   "(" and the input matched; then ${var}s are expanded;
// - after EVERY action comes the macro's pause (default 100 ms; digits stay queued);
// - an action whose status is not success (a key broke a prompt through the input callback, a
//   missing file, a hangup) ends the macro.
import { DEFAULT_PHRASE_PAUSE_MS, phraseAction, type PhraseAction, type PhraseMacro } from "../../flow/phrases";
import { compileFsRegex, regexErrorLine, SafeRegexError } from "../safe-regex";

export type PhraseStatus = "success" | "break" | "false";

/** The macros the runtime knows, by language then name. */
export class PhraseBook {
  private readonly byLanguage = new Map<string, Map<string, PhraseMacro>>([["en", new Map()]]);

  constructor(macros: readonly PhraseMacro[] = []) {
    for (const m of macros) {
      const lang = this.byLanguage.get(m.language) ?? new Map<string, PhraseMacro>();
      // FreeSWITCH's switch_xml_find_child takes the first macro of a name.
      if (!lang.has(m.name)) lang.set(m.name, m);
      this.byLanguage.set(m.language, lang);
    }
  }

  get size(): number {
    let n = 0;
    for (const l of this.byLanguage.values()) n += l.size;
    return n;
  }

  /** switch_xml_locate_language: the language, or its part before "-" ("en-US" -> "en"). */
  language(lang: string): { name: string; macros: Map<string, PhraseMacro> } | undefined {
    const exact = this.byLanguage.get(lang);
    if (exact) return { name: lang, macros: exact };
    const dash = lang.indexOf("-");
    if (dash < 0) return undefined;
    const base = lang.slice(0, dash);
    const macros = this.byLanguage.get(base);
    return macros ? { name: base, macros } : undefined;
  }
}

/** What the macro player needs from the session (FsSession implements it in session.ts). */
export interface PhraseHost {
  getVar(name: string): string | undefined;
  /** switch_channel_expand_variables. */
  expand(text: string): string;
  log(level: string, message: string): void;
  preAnswer(): Promise<boolean>;
  playFile(file: string): Promise<PhraseStatus>;
  say(module: string, text: string, type: string, method: string, gender: string): Promise<PhraseStatus>;
  speak(engine: string, voice: string, text: string): Promise<PhraseStatus>;
  execute(app: string, args: string): Promise<PhraseStatus>;
  /** switch_ivr_sleep with no input args: digits stay queued. */
  pause(ms: number): Promise<void>;
}

/** switch_perform_substitution: $N and ${N} become capture group N (unset groups: nothing). */
export function substituteGroups(text: string, groups: readonly (string | undefined)[]): string {
  let out = "";
  let x = 0;
  while (x < text.length) {
    if (text[x] !== "$") {
      out += text[x++];
      continue;
    }
    x++;
    const brace = text[x] === "{";
    if (brace) x++;
    if (!/[0-9]/.test(text[x] ?? "")) {
      // Not a group reference: the "$" stays and the rest is copied as is.
      x -= brace ? 1 : 0;
      out += "$";
      continue;
    }
    let digits = "";
    while (/[0-9]/.test(text[x] ?? "") && digits.length < 9) digits += text[x++];
    if (brace) {
      if (text[x] !== "}") {
        out += "${" + digits;
        continue;
      }
      x++;
    }
    const n = Number(digits);
    if (n <= 256) out += groups[n] ?? "";
  }
  return out;
}

/** switch_separate_paren_args: "sleep(500)" -> ["sleep", "500"]. */
function parenArgs(cmd: string): [string, string] {
  const open = cmd.indexOf("(");
  if (open < 0) return [cmd, ""];
  const close = cmd.lastIndexOf(")");
  return [cmd.slice(0, open), close > open ? cmd.slice(open + 1, close) : cmd.slice(open + 1)];
}

async function runAction(host: PhraseHost, action: PhraseAction, data: string, language: string): Promise<PhraseStatus> {
  switch (action.function) {
    case "play-file":
      return host.playFile(data);
    case "say":
      return host.say(language, data, action.attrs.type ?? "", action.attrs.method ?? "", action.attrs.gender ?? "");
    case "speak-text":
      return host.speak(action.attrs["tts-engine"] ?? "", action.attrs["tts-voice"] ?? "", data);
    case "execute": {
      const [app, args] = parenArgs(data);
      return host.execute(app, args);
    }
  }
}

/** Play `name` for `data` in `lang`: switch_ivr_phrase_macro_event. The status FreeSWITCH returns. */
export async function playPhrase(host: PhraseHost, book: PhraseBook, name: string, data: string, lang: string | undefined): Promise<PhraseStatus> {
  if (!name) {
    host.log("err", "No phrase macro specified.");
    return "false";
  }
  const chanLang = lang || host.getVar("default_language") || "en";
  const language = book.language(chanLang);
  if (!language) {
    host.log("err", `Can't find language ${chanLang}.`);
    return "false";
  }
  const at = name.indexOf("@");
  if (at >= 0) {
    host.log("err", `Can't find macros group ${name.slice(at + 1)}.`);
    return "false";
  }
  const macro = language.macros.get(name);
  if (!macro) {
    host.log("err", `Can't find macro ${name}.`);
    return "false";
  }
  if (macro.inputs.length === 0) {
    host.log("err", "Can't find any input tags.");
    return "false";
  }
  if (!(await host.preAnswer())) return "false";
  const pause = macro.pauseMs >= 0 ? macro.pauseMs : DEFAULT_PHRASE_PAUSE_MS;
  let status: PhraseStatus = "false";
  let matches = 0;
  for (const input of macro.inputs) {
    const field = host.expand(input.field || data);
    const pattern = input.pattern || ".*";
    status = "success";
    // Linear-time RE2 (runtime/safe-regex.ts); a pattern it cannot run is logged and matches nothing.
    const compiled = compileFsRegex(pattern);
    let m: (string | undefined)[] | null = null;
    if (!compiled.ok) host.log("err", regexErrorLine(pattern, compiled.reason));
    else {
      try {
        m = compiled.regex.exec(field);
      } catch (e) {
        if (!(e instanceof SafeRegexError)) throw e;
        host.log("err", regexErrorLine(pattern, e.message));
      }
    }
    const items = m ? input.match : input.nomatch;
    // An empty list is no element in the XML: nothing played, and break_on_match does not apply.
    const branchPresent = items.length > 0;
    if (branchPresent) {
      matches++;
      for (const item of items) {
        const action = phraseAction(item);
        let odata = action.data;
        if (m && pattern.includes("(") && odata.includes("$")) odata = substituteGroups(odata, m);
        odata = host.expand(odata);
        status = await runAction(host, action, odata, language.name);
        await host.pause(pause);
        if (status !== "success") break;
      }
    }
    if (status !== "success" || (branchPresent && input.breakOnMatch)) break;
  }
  if (matches === 0) host.log("warning", `Macro [${name}]: '${data}' did not match any patterns`);
  return status;
}
