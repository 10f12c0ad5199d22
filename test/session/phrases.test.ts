// sayPhrase on the runtime, against switch_ivr_phrase_macro_event's rules (switch_ivr_play_say.c):
// inputs tried in order, match/nomatch, break_on_match, $1 only after a match of a pattern with
// a group, ${var} expansion, the pause after every action, a failed action ending the macro.
import { describe, expect, it } from "vitest";
import { parsePhrase, type PhraseMacroInput } from "../../flow/phrases";
import { PhraseBook, playPhrase, substituteGroups, type PhraseHost, type PhraseStatus } from "../../runtime/session/phrases";
import { makeSession } from "./fakes";

const macro = (m: PhraseMacroInput) => parsePhrase(m);

/** FreeSWITCH's own queue_position and callers_in_conf (conf/vanilla/lang/en/ivr/sounds.xml), as the designer stores them. */
const QUEUE_POSITION = macro({
  name: "queue_position",
  inputs: [
    {
      pattern: "^(\\d+)$",
      match: [
        { type: "file", file: "ivr/ivr-you_are_number.wav" },
        { type: "say", text: "$1", sayType: "ITEMS", method: "PRONOUNCED" },
        { type: "file", file: "ivr/ivr-in_line.wav" },
      ],
    },
  ],
});
const CALLERS = macro({
  name: "callers_in_conf",
  inputs: [
    { pattern: "^1$", breakOnMatch: true, match: [{ type: "pause", ms: 500 }, { type: "file", file: "digits/1.wav" }] },
    {
      pattern: "^(\\d+)$",
      match: [{ type: "file", file: "ivr/ivr-there_are.wav" }, { type: "say", text: "$1", sayType: "ITEMS", method: "PRONOUNCED" }],
      nomatch: [{ type: "file", file: "ivr/ivr-there_are.wav" }, { type: "file", file: "digits/0.wav" }],
    },
  ],
});

/** A host that records what the macro asked for, in order. */
function recordingHost(vars: Record<string, string> = {}, fail: (what: string) => PhraseStatus = () => "success") {
  const calls: string[] = [];
  const logs: string[] = [];
  const host: PhraseHost = {
    getVar: (n) => vars[n],
    expand: (t) => t.replace(/\$\{([^{}]+)\}/g, (_m, n: string) => vars[n] ?? ""),
    log: (level, m) => logs.push(`${level}: ${m}`),
    preAnswer: async () => true,
    playFile: async (f) => (calls.push(`play ${f}`), fail(f)),
    say: async (module, text, type, method, gender) => (calls.push(`say ${module} ${type} ${method}${gender ? ` ${gender}` : ""} [${text}]`), fail(text)),
    speak: async (engine, voice, text) => (calls.push(`speak ${engine}/${voice} [${text}]`), fail(text)),
    execute: async (app, args) => (calls.push(`execute ${app}(${args})`), "success"),
    pause: async (ms) => void calls.push(`pause ${ms}`),
  };
  return { host, calls, logs };
}

describe("phrase macros (switch_ivr_phrase_macro_event)", () => {
  it("plays a match with $1 from the capture group and the 100 ms pause after every action", async () => {
    const { host, calls } = recordingHost();
    expect(await playPhrase(host, new PhraseBook([QUEUE_POSITION]), "queue_position", "12", undefined)).toBe("success");
    expect(calls).toEqual([
      "play ivr/ivr-you_are_number.wav", "pause 100",
      "say en items pronounced [12]", "pause 100",
      "play ivr/ivr-in_line.wav", "pause 100",
    ]);
  });

  it("break_on_match stops at the first input; without it the later inputs are tried too", async () => {
    const one = recordingHost();
    await playPhrase(one.host, new PhraseBook([CALLERS]), "callers_in_conf", "1", "en");
    expect(one.calls).toEqual(["execute sleep(500)", "pause 100", "play digits/1.wav", "pause 100"]);

    const noBreak = macro({ ...CALLERS, inputs: CALLERS.inputs.map((i) => ({ ...i, breakOnMatch: false })) });
    const both = recordingHost();
    await playPhrase(both.host, new PhraseBook([noBreak]), "callers_in_conf", "1", "en");
    expect(both.calls).toEqual([
      "execute sleep(500)", "pause 100", "play digits/1.wav", "pause 100",
      "play ivr/ivr-there_are.wav", "pause 100", "say en items pronounced [1]", "pause 100",
    ]);
  });

  it("nomatch plays when the pattern does not match, and $1 is not substituted there", async () => {
    const m = macro({
      name: "n",
      pauseMs: 0,
      inputs: [{ pattern: "^(\\d+)$", match: [{ type: "file", file: "a.wav" }], nomatch: [{ type: "speak", text: "not $1: ${x}" }] }],
    });
    const { host, calls, logs } = recordingHost({ x: "X" });
    await playPhrase(host, new PhraseBook([m]), "n", "abc", undefined);
    expect(calls).toEqual(["speak flite/kal [not $1: X]", "pause 0"]);
    expect(logs).toEqual([]);
    // The second input of callers_in_conf on a non-number: its nomatch.
    const c = recordingHost();
    await playPhrase(c.host, new PhraseBook([CALLERS]), "callers_in_conf", "many", undefined);
    expect(c.calls.filter((x) => x.startsWith("play"))).toEqual(["play ivr/ivr-there_are.wav", "play digits/0.wav"]);
  });

  it("a field with ${var} is matched instead of the data; groups, ${N} and a pattern without ( follow FreeSWITCH", async () => {
    const m = macro({
      name: "f",
      pauseMs: 20,
      inputs: [
        { pattern: "^(\\d)(\\d)$", field: "${code}", match: [{ type: "file", file: "x/${1}-$2-$3-$-${who}.wav" }] },
        { pattern: "^\\d+$", match: [{ type: "say", text: "$1 ${who}", sayType: "NUMBER", method: "ITERATED" }] },
      ],
    });
    const { host, calls } = recordingHost({ code: "42", who: "me" });
    await playPhrase(host, new PhraseBook([m]), "f", "7", undefined);
    expect(calls).toEqual(["play x/4-2--$-me.wav", "pause 20", "say en number iterated [$1 me]", "pause 20"]);
  });

  it("an action that does not succeed ends the macro after its pause; no match at all is logged", async () => {
    const { host, calls } = recordingHost({}, (what) => (what.includes("you_are") ? "break" : "success"));
    expect(await playPhrase(host, new PhraseBook([QUEUE_POSITION]), "queue_position", "3", undefined)).toBe("break");
    expect(calls).toEqual(["play ivr/ivr-you_are_number.wav", "pause 100"]);

    const none = recordingHost();
    await playPhrase(none.host, new PhraseBook([QUEUE_POSITION]), "queue_position", "x", undefined);
    expect(none.calls).toEqual([]);
    expect(none.logs).toEqual(["warning: Macro [queue_position]: 'x' did not match any patterns"]);
  });

  it("languages: default_language, then en; en-US falls back to en; unknown macro, language and group are errors", async () => {
    const fr = macro({ ...QUEUE_POSITION, language: "fr", inputs: [{ pattern: ".*", match: [{ type: "file", file: "fr.wav" }] }] });
    const book = new PhraseBook([QUEUE_POSITION, fr]);
    const a = recordingHost({ default_language: "fr" });
    await playPhrase(a.host, book, "queue_position", "1", undefined);
    expect(a.calls[0]).toBe("play fr.wav");
    const b = recordingHost({ default_language: "fr" });
    await playPhrase(b.host, book, "queue_position", "1", "en-US");
    expect(b.calls[0]).toBe("play ivr/ivr-you_are_number.wav");
    const c = recordingHost();
    for (const [name, lang] of [["nope", "en"], ["queue_position", "de"], ["queue_position@grp", "en"]]) await playPhrase(c.host, book, name, "1", lang);
    expect(c.logs).toEqual(["err: Can't find macro nope.", "err: Can't find language de.", "err: Can't find macros group grp."]);
    expect(c.calls).toEqual([]);
  });

  it("switch_perform_substitution: unset groups are empty, an unclosed ${ stays", () => {
    const m = /^(a)(b)?(c)$/.exec("ac")!;
    expect(substituteGroups("$1|$2|$3|$0|${1}|${1|$x|$", m)).toBe("a||c|ac|a|${1|$x|$");
  });
});

describe("sayPhrase on the session", () => {
  it("plays the macro's files, say's file_string and TTS in order, pre-answering first", async () => {
    const m = macro({
      name: "balance",
      pauseMs: 0,
      inputs: [
        {
          pattern: "^(\\d+)\\.(\\d\\d)$",
          match: [
            { type: "file", file: "ivr/ivr-your_balance_is.wav" },
            { type: "say", text: "$1", sayType: "NUMBER", method: "PRONOUNCED" },
            { type: "speak", text: "and $2 cents", voice: "slt" },
          ],
        },
      ],
    });
    const { session, media, control, trace } = makeSession({}, { phrases: new PhraseBook([m]) });
    await session.sayPhrase("balance", "21.05");
    expect(control.preAnswers).toBe(1);
    expect(media.played).toEqual([
      "ivr/ivr-your_balance_is.wav",
      "file_string://digits/20.wav!digits/1.wav",
      "tts/slt/120@120ms.wav",
    ]);
    expect(trace.map((t) => t.method)).toEqual(["sayPhrase"]);
  });

  it("a key the input callback breaks on ends the macro; without a callback the key stays queued", async () => {
    const book = new PhraseBook([{ ...QUEUE_POSITION, pauseMs: 0 }]);
    const a = makeSession({}, { phrases: book });
    await a.session.setInputCallback(async () => "break");
    a.press("5", 50);
    await a.session.sayPhrase("queue_position", "4");
    expect(a.media.played).toEqual(["ivr/ivr-you_are_number.wav"]);

    const b = makeSession({}, { phrases: book });
    b.press("5", 50);
    await b.session.sayPhrase("queue_position", "4");
    expect(b.media.played).toHaveLength(3);
    expect(await b.session.getDigits(1, "", 10)).toBe("5");
  });

  it("a missing file ends the macro and is on the call log's record", async () => {
    const m = macro({ name: "m", pauseMs: 0, inputs: [{ match: [{ type: "file", file: "missing.wav" }, { type: "file", file: "after.wav" }] }] });
    const { session, media, trace } = makeSession({}, { phrases: new PhraseBook([m]) });
    await session.sayPhrase("m", "");
    expect(media.played).toEqual(["missing.wav"]);
    expect(trace[0].error).toMatch(/not found: missing\.wav/);
  });
});
