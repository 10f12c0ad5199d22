// checkPhrase: every problem points at its place (input, branch, item) with a sentence that
// says what FreeSWITCH would do with it.
import { describe, expect, it } from "vitest";
import { checkPhrase, parsePhrase, renamePromptInPhrase, type PhraseMacroInput } from "../../flow/phrases";

const check = (m: PhraseMacroInput, known?: (p: string) => boolean) => checkPhrase(parsePhrase(m), { knownPrompt: known }).map((d) => [d.severity, d.path, d.message]);

describe("checkPhrase", () => {
  it("groups: $N past the pattern's groups, $N in a nomatch, a pattern with no group", () => {
    expect(check({ name: "a", inputs: [{ pattern: "^(\\d)(\\d)$", match: [{ type: "say", text: "$2 $3" }], nomatch: [{ type: "speak", text: "no $1" }] }] })).toEqual([
      ["warning", "inputs.0.match.0.text", "Input 1, match item 1 (say): $3 stays empty: the pattern has only 2 capture groups."],
      ["warning", "inputs.0.nomatch.0.text", "Input 1, nomatch item 1 (speak text): $1 stays as written: FreeSWITCH fills in capture groups only when the pattern matched."],
    ]);
    expect(check({ name: "b", inputs: [{ pattern: "^\\d+$", match: [{ type: "file", file: "x/$1.wav" }] }] })[0][2]).toMatch(/^Input 1, match item 1 \(play file\): \$1 stays empty: the pattern has no capture group/);
  });

  it("patterns: not portable, not valid, or exponential on a crafted value", () => {
    const pattern = (p: string) => check({ name: "p", inputs: [{ pattern: p, match: [{ type: "pause", ms: 1 }] }] });
    expect(pattern("\\Aabc")[0]).toEqual(["error", "inputs.0.pattern", expect.stringMatching(/^Input 1, pattern: .*\\A \(start of subject\) is PCRE only/)]);
    expect(pattern("^(\\d+)+$")[0]).toEqual(["error", "inputs.0.pattern", expect.stringMatching(/exponential time/)]);
    expect(pattern("^((\\d+)-)*$")[0][2]).toMatch(/exponential/);
    expect(pattern("^(\\d{3})-(\\d+)$")).toEqual([]);
  });

  it("files: outside the sounds folder is an error, unknown to this server a warning; empty texts are errors", () => {
    expect(check({ name: "f", inputs: [{ match: [{ type: "file", file: "../etc/x.wav" }, { type: "file", file: "prompts/nope.wav" }, { type: "say", text: " " }] }] }, (p) => p !== "prompts/nope.wav")).toEqual([
      ["error", "inputs.0.match.0.file", expect.stringMatching(/^Input 1, match item 1 \(play file\): "\.\.\/etc\/x\.wav" leaves the sounds folder/)],
      ["warning", "inputs.0.match.1.file", expect.stringMatching(/the prompt "prompts\/nope\.wav" is neither in the prompt library/)],
      ["error", "inputs.0.match.2.text", "Input 1, match item 3 (say): the text is empty."],
    ]);
  });

  it("names, languages, no inputs", () => {
    expect(check({ name: "a@b", language: "english", inputs: [] }).map((d) => d[1])).toEqual(["name", "language", "inputs"]);
  });

  it("a renamed prompt is replaced in files and file_string lists, nothing else", () => {
    const m = parsePhrase({ name: "r", inputs: [{ match: [{ type: "file", file: "prompts/a.wav" }, { type: "file", file: "file_string://prompts/a.wav!prompts/ab.wav" }, { type: "speak", text: "prompts/a.wav" }] }] });
    expect(renamePromptInPhrase(m, "prompts/a.wav", "prompts/b.wav").inputs[0].match).toEqual([
      { type: "file", file: "prompts/b.wav" },
      { type: "file", file: "file_string://prompts/b.wav!prompts/ab.wav" },
      { type: "speak", text: "prompts/a.wav", engine: "flite", voice: "kal" },
    ]);
  });
});
