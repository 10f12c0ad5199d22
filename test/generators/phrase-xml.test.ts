// The phrase XML the export writes, read the way FreeSWITCH reads it: switch_xml.c's line-based
// preprocessor (lines with <include>/</include>/<? dropped, X-PRE-PROCESS include, $${} expanded
// at load), an XML parser, then switch_xml_locate_language (section languages > language[name] >
// phrases > macros > macro[name]) and switch_ivr_phrase_macro_event's attributes. What FreeSWITCH
// would play from the file must be what the runtime plays from the library.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { buildExportBundle } from "../../generators/export";
import { PHRASE_INCLUDE_LINE, phraseFiles, phraseXml } from "../../generators/phrase-xml";
import { checkPhrase, parsePhrase, type PhraseItem, type PhraseMacro } from "../../flow/phrases";
import { loadFlow } from "../../flow/graph";
import { PhraseBook, playPhrase, type PhraseHost } from "../../runtime/session/phrases";

/** conf/vanilla/lang/en/en.xml, trimmed to what the loader walks. */
const EN_XML = `<include>
  <language name="en" say-module="en" sound-prefix="$\${sound_prefix}" tts-engine="cepstral" tts-voice="callie">
    <phrases>
      <macros>
        ${PHRASE_INCLUDE_LINE}  <!-- IVR and custom phrases go here -->
      </macros>
    </phrases>
  </language>
</include>`;

/** switch_xml.c preprocess(): line rules, includes, $${var} at load time. */
function preprocess(text: string, files: Record<string, string>, globals: Record<string, string> = {}): string {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\$\$\{([^}]*)\}/g, (_m, n: string) => globals[n] ?? "");
    if (line.includes("<include>") || line.includes("</include>") || line.includes("<?")) continue;
    const t = line.search(/x-pre-process/i);
    if (t >= 0) {
      if (line[t - 1] !== "<") continue;
      const cmd = /cmd\s*=\s*"([^"]*)"/i.exec(line.slice(t))?.[1];
      const data = /data\s*=\s*"([^"]*)"/i.exec(line.slice(t))?.[1] ?? "";
      if (cmd === "include") {
        const re = new RegExp(`^${data.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`);
        for (const [name, body] of Object.entries(files)) if (re.test(name)) out.push(preprocess(body, files, globals));
      }
      continue;
    }
    expect(line).not.toContain("<!--#");
    out.push(line);
  }
  return out.join("\n");
}

type Node = { tag: string; attrs: Record<string, string>; children: Node[] };

function parse(xml: string): Node {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "", processEntities: true, htmlEntities: true, parseAttributeValue: false, trimValues: false, commentPropName: "#comment" });
  const toNode = (o: Record<string, unknown>): Node | undefined => {
    const tag = Object.keys(o).find((k) => k !== ":@");
    if (!tag || tag === "#text" || tag === "#comment") return undefined;
    const kids = (o[tag] as Array<Record<string, unknown>>).map(toNode).filter((n): n is Node => !!n);
    return { tag, attrs: (o[":@"] as Record<string, string>) ?? {}, children: kids };
  };
  const roots = (parser.parse(xml) as Array<Record<string, unknown>>).map(toNode).filter((n): n is Node => !!n);
  expect(roots).toHaveLength(1);
  return roots[0];
}

const child = (n: Node | undefined, tag: string, attr?: [string, string]) =>
  n?.children.find((c) => c.tag === tag && (!attr || c.attrs[attr[0]] === attr[1]));
const children = (n: Node, tag: string) => n.children.filter((c) => c.tag === tag);

/** FreeSWITCH loading our file and looking the macro up, then its actions read back as items. */
function loadAsFreeSwitch(files: Record<string, string>, lang: string, name: string): PhraseMacro | undefined {
  const doc = parse(`<document type="freeswitch/xml"><section name="languages">\n${preprocess(EN_XML, files)}\n</section></document>`);
  const section = child(doc, "section", ["name", "languages"]);
  const macros = child(child(child(section, "language", ["name", lang]), "phrases"), "macros");
  const macro = child(macros, "macro", ["name", name]);
  if (!macro) return undefined;
  const item = (a: Node): PhraseItem => {
    const f = a.attrs.function;
    if (f === "play-file") return { type: "file", file: a.attrs.data };
    if (f === "say") return { type: "say", text: a.attrs.data, sayType: a.attrs.type.toUpperCase() as never, method: a.attrs.method.toUpperCase() as never, gender: (a.attrs.gender ?? "").toUpperCase() as never };
    if (f === "speak-text") return { type: "speak", text: a.attrs.data, engine: a.attrs["tts-engine"] as never, voice: a.attrs["tts-voice"] as never };
    const sleep = /^sleep\((\d+)\)$/.exec(a.attrs.data);
    if (f === "execute" && sleep) return { type: "pause", ms: Number(sleep[1]) };
    throw new Error(`unexpected action ${JSON.stringify(a.attrs)}`);
  };
  return parsePhrase({
    name: macro.attrs.name,
    language: lang,
    pauseMs: Number(macro.attrs.pause ?? 100),
    inputs: children(macro, "input").map((i) => ({
      pattern: i.attrs.pattern ?? ".*",
      field: i.attrs.field ?? "",
      breakOnMatch: /^(true|yes|on|1)$/i.test(i.attrs.break_on_match ?? ""),
      match: children(child(i, "match") ?? { tag: "", attrs: {}, children: [] }, "action").map(item),
      nomatch: children(child(i, "nomatch") ?? { tag: "", attrs: {}, children: [] }, "action").map(item),
    })),
  });
}

async function played(m: PhraseMacro, data: string): Promise<string[]> {
  const calls: string[] = [];
  const host: PhraseHost = {
    getVar: () => undefined,
    expand: (t) => t.replace(/\$\$?\{([^{}]+)\}/g, (_m, n: string) => `<${n}>`),
    log: () => {},
    preAnswer: async () => true,
    playFile: async (f) => (calls.push(`play ${f}`), "success"),
    say: async (_mod, text, type, method, gender) => (calls.push(`say ${type}/${method}/${gender} ${text}`), "success"),
    speak: async (e, v, t) => (calls.push(`speak ${e}/${v} ${t}`), "success"),
    execute: async (app, args) => (calls.push(`${app} ${args}`), "success"),
    pause: async (ms) => void calls.push(`pause ${ms}`),
  };
  await playPhrase(host, new PhraseBook([m]), m.name, data, m.language);
  return calls;
}

const HOSTILE = `a"b'c<d>e&f]]>g\nh\tij $\${domain} x-PRE-process <include></include> <?xml?> <!--# -->`;

const MACROS: PhraseMacro[] = [
  parsePhrase({
    name: "queue_position",
    pauseMs: 250,
    inputs: [
      { pattern: "^1$", breakOnMatch: true, match: [{ type: "pause", ms: 500 }, { type: "file", file: "digits/1.wav" }] },
      {
        pattern: "^(\\d+)$",
        match: [
          { type: "file", file: "ivr/ivr-you_are_number.wav" },
          { type: "say", text: "$1", sayType: "ITEMS", method: "PRONOUNCED", gender: "FEMININE" },
          { type: "speak", text: "in line, ${caller_id_name}", voice: "slt" },
        ],
        nomatch: [{ type: "file", file: "ivr/ivr-that_was_an_invalid_entry.wav" }],
      },
      { pattern: "^(.*)$", field: "${hold_music}", match: [{ type: "file", file: "prompts/$1.wav" }] },
    ],
  }),
  parsePhrase({ name: "hostile.name-1", inputs: [{ pattern: "^\"(&)<'>$", match: [{ type: "speak", text: HOSTILE }] }] }),
];

describe("phrase XML for FreeSWITCH", () => {
  it("loads through FreeSWITCH's preprocessor and language lookup, and plays what the runtime plays", async () => {
    const files = phraseFiles(MACROS, "ivr-studio-test");
    expect(files.map((f) => f.path)).toEqual(["lang/en/ivr/ivr-studio-test.xml"]);
    // The phrase file on its own is well-formed XML with <include> as its root.
    expect(parse(files[0].content).tag).toBe("include");
    const fsFiles = { "ivr/ivr-studio-test.xml": files[0].content };
    for (const m of MACROS) {
      const loaded = loadAsFreeSwitch(fsFiles, "en", m.name);
      expect(loaded, m.name).toBeDefined();
      for (const data of ["1", "42", "x", "", "\"&<'>"]) expect(await played(loaded!, data), `${m.name} ${data}`).toEqual(await played(m, data));
    }
  });

  it("every user string survives: quotes, <, &, ]]>, newlines, $${...} kept for run time, no line the preprocessor would drop", () => {
    const xml = phraseXml([MACROS[1]]);
    const loaded = loadAsFreeSwitch({ "ivr/x.xml": xml }, "en", "hostile.name-1")!;
    const speak = loaded.inputs[0].match[0] as Extract<PhraseItem, { type: "speak" }>;
    expect(speak.text).toBe(HOSTILE);
    expect(loaded.inputs[0].pattern).toBe("^\"(&)<'>$");
    for (const line of xml.split("\n").slice(3, -2)) {
      expect(line).not.toMatch(/<include>|<\/include>|<\?|\$\$\{/);
      expect(line).not.toMatch(/x-pre-process/i);
    }
    // NUL and other controls cannot be in XML: the checks refuse them where they are.
    const nul = parsePhrase({ name: "n", inputs: [{ match: [{ type: "say", text: "1\u0000" }] }] });
    // A name FreeSWITCH's stock files define before ivr/ would never play there: said.
    expect(checkPhrase(parsePhrase({ name: "voicemail_menu", inputs: [{ match: [{ type: "pause", ms: 5 }] }] }))).toEqual([
      { severity: "warning", path: "name", message: expect.stringContaining("lang/en/vm/sounds.xml") },
    ]);
    expect(checkPhrase(nul)).toEqual([{ severity: "error", path: "inputs.0.match.0.text", message: expect.stringMatching(/^Input 1, match item 1 \(say\): .*control character/) }]);
  });

  it("the export bundle writes the macros its Phrase nodes play, their prompts, and the include line in the README", () => {
    const flow = loadFlow({
      schemaVersion: 1,
      name: "Queue",
      nodes: [
        { id: "start", kind: "start", params: {} },
        { id: "answer", kind: "answer", params: {} },
        { id: "pos", kind: "phrase", params: { name: "queue_position", data: "${queue_pos}" } },
        { id: "other", kind: "phrase", params: { name: "voicemail_menu", language: "en" } },
        { id: "bye", kind: "hangup", params: {} },
      ],
      edges: [
        { source: "start", outcome: "next", target: "answer" },
        { source: "answer", outcome: "next", target: "pos" },
        { source: "pos", outcome: "next", target: "other" },
        { source: "other", outcome: "next", target: "bye" },
      ],
    });
    const unused = parsePhrase({ name: "unused", inputs: [{ match: [{ type: "file", file: "never.wav" }] }] });
    const french = parsePhrase({ ...MACROS[0], language: "fr" });
    const bundle = buildExportBundle(flow, { phrases: [MACROS[0], unused, french], validate: { authorIsAdmin: true } });
    const xmlFiles = bundle.files.filter((f) => f.path.startsWith("lang/"));
    expect(xmlFiles.map((f) => f.path)).toEqual(["lang/en/ivr/ivr-studio-queue.xml"]);
    expect(loadAsFreeSwitch({ "ivr/q.xml": xmlFiles[0].content }, "en", "unused")).toBeUndefined();
    expect(loadAsFreeSwitch({ "ivr/q.xml": xmlFiles[0].content }, "en", "queue_position")).toBeDefined();
    expect(bundle.prompts).toEqual(expect.arrayContaining(["digits/1.wav", "ivr/ivr-you_are_number.wav", "ivr/ivr-that_was_an_invalid_entry.wav"]));
    expect(bundle.prompts).not.toContain("never.wav");
    const readme = bundle.files.find((f) => f.path === "README.md")!.content;
    expect(readme).toContain(PHRASE_INCLUDE_LINE);
    expect(readme).toContain("`voicemail_menu (en)`");
  });
});
