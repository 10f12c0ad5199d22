// Phrase macros as a FreeSWITCH phrase file: conf/lang/<lang>/ivr/<name>.xml, which the stock
// conf/lang/<lang>/<lang>.xml pulls inside <language><phrases><macros> with
//   <X-PRE-PROCESS cmd="include" data="ivr/*.xml"/>
// FreeSWITCH reads it through its line-based preprocessor first (switch_xml.c preprocess), so
// besides XML escaping: <include> and </include> stand on lines of their own (lines holding
// them are dropped), no line holds "X-pre-process" unless it is a command (such a line is
// dropped too), and "$${" would be expanded at load time, so the "$" is written as &#36; and
// FreeSWITCH expands it when the action runs, as the runtime does. Every action sits on its own line.
import { PHRASE_LANGUAGE_RE, phraseAction, type PhraseMacro } from "../flow/phrases";

/** The include line the language file needs (stock en.xml has it inside <macros>). */
export const PHRASE_INCLUDE_LINE = '<X-PRE-PROCESS cmd="include" data="ivr/*.xml"/>';

/** An attribute value for FreeSWITCH's XML reader and its preprocessor. */
export function phraseXmlAttr(value: string): string {
  return (
    value
      // XML 1.0 has no place for other C0 controls; the checks refuse them before this.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/[&<>"'\t\n\r]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;" })[c] ?? c)
      .replace(/\$(?=\$\{)/g, "&#36;")
      // The preprocessor drops any line holding "X-pre-process" (any case) that is not a command.
      .replace(/(x)(-)(pre-process)/gi, "$1&#45;$3")
  );
}

const attr = (name: string, value: string) => ` ${name}="${phraseXmlAttr(value)}"`;

/** One language's macros as a phrase file (`macros` all of that language). */
export function phraseXml(macros: readonly PhraseMacro[], heading = "IVR Studio phrase macros"): string {
  const language = macros[0]?.language ?? "en";
  const lines = [
    `<!-- ${heading.replace(/--+/g, "-").replace(/[<>]/g, "")} (language ${language.replace(/[^A-Za-z0-9_-]/g, "")}). -->`,
    `<!-- Put this file in conf/lang/${language.replace(/[^A-Za-z0-9_-]/g, "")}/ivr/ and run reloadxml (see README.md). -->`,
    "<include>",
  ];
  for (const m of macros) {
    lines.push(`  <macro${attr("name", m.name)}${attr("pause", String(m.pauseMs))}>`);
    for (const input of m.inputs) {
      lines.push(`    <input${attr("pattern", input.pattern)}${input.field ? attr("field", input.field) : ""}${input.breakOnMatch ? attr("break_on_match", "true") : ""}>`);
      for (const branch of ["match", "nomatch"] as const) {
        // An empty list is no element: FreeSWITCH counts an element as played (break_on_match).
        if (!input[branch].length) continue;
        lines.push(`      <${branch}>`);
        for (const item of input[branch]) {
          const a = phraseAction(item);
          lines.push(`        <action${attr("function", a.function)}${attr("data", a.data)}${Object.entries(a.attrs).map(([k, v]) => attr(k, v)).join("")}/>`);
        }
        lines.push(`      </${branch}>`);
      }
      lines.push("    </input>");
    }
    lines.push("  </macro>");
  }
  lines.push("</include>", "");
  return lines.join("\n");
}

/** Macros grouped by language, each group as the phrase file FreeSWITCH loads: lang/<lang>/ivr/<file>.xml. */
export function phraseFiles(macros: readonly PhraseMacro[], fileName: string, heading?: string): Array<{ path: string; content: string }> {
  const byLang = new Map<string, PhraseMacro[]>();
  for (const m of macros) {
    if (!PHRASE_LANGUAGE_RE.test(m.language)) throw new Error(`phrase ${m.name}: "${m.language}" is not a language code`);
    byLang.set(m.language, [...(byLang.get(m.language) ?? []), m]);
  }
  return [...byLang.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([lang, ms]) => ({ path: `lang/${lang}/ivr/${fileName}.xml`, content: phraseXml(ms, heading) }));
}
