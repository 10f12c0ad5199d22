// Building blocks: escapers, legal names, templates, the FreeSWITCH regex argument, the emitter.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Emitter } from "../../generators/common/emitter";
import { commentText, luaString, tsString } from "../../generators/common/escape";
import { legalName, Namespace } from "../../generators/common/naming";
import { slugOf } from "../../generators/common/slug";
import { parseTemplate } from "../../generators/common/template";
import { fsRegexArg, regexDelimiter } from "../../generators/lua/fs-regex";
import { regexArgs } from "../../runtime/host/fs-api";
import { luaAvailable } from "../support/run-flow";

describe("luaString", () => {
  it("uses decimal escapes for every byte outside printable ASCII", () => {
    expect(luaString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(luaString("\n\u0000" + "1")).toBe('"\\010\\0001"');
    expect(luaString("é")).toBe('"\\195\\169"');
    expect(luaString("]]")).toBe('"]]"');
  });
  it.skipIf(!luaAvailable("lua5.3"))("round-trips every byte value through lua5.3", () => {
    let s = "";
    for (let c = 0; c < 0x800; c++) s += String.fromCharCode(c);
    s += "😀\u2028";
    const r = spawnSync("lua5.3", ["-e", `io.write(${luaString(s)})`]);
    expect(Buffer.compare(r.stdout, Buffer.from(s, "utf8"))).toBe(0);
  });
});

describe("tsString", () => {
  it("escapes quotes, backslashes, controls, non-ASCII and line separators", () => {
    expect(tsString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(tsString("\n\u2028é`${x}")).toBe('"\\u000a\\u2028\\u00e9`${x}"');
    const s = "\u0000\ud83d\ude00\ud800 ]] */ '";
    expect(JSON.parse(tsString(s).replace(/\\u([0-9a-f]{4})/g, "\\u$1"))).toBe(s);
  });
  it("keeps comments on one line", () => {
    expect(commentText("a\nb\u2028c", "ts")).toBe("a\\u000ab\\u2028c");
    expect(commentText("a\r\nb", "lua")).toBe("a\\013\\010b");
  });
});

describe("legalName", () => {
  it("styles, prefixes digits, avoids keywords and collisions", () => {
    const lua = new Namespace("lua");
    expect(legalName("ask account", "lua", lua)).toBe("ask_account");
    expect(legalName("ask-account", "lua", lua)).toBe("ask_account_2");
    expect(legalName("1st", "lua", lua)).toBe("n_1st");
    expect(legalName("goto", "lua", lua)).toBe("goto_");
    expect(legalName("session", "lua", lua)).toBe("session_");
    expect(legalName("", "lua", lua)).toBe("node");
    const tsNs = new Namespace("ts");
    expect(legalName("goto", "ts", tsNs)).toBe("goto");
    expect(legalName("await", "ts", tsNs)).toBe("await_");
    expect(legalName("Session", "ts", tsNs)).toBe("Session_");
    expect(legalName("await_", "ts", tsNs)).toBe("await__2");
  });
  it("slugs file names", () => {
    expect(slugOf("Main Menü (v2)")).toBe("main_menu_v2");
    expect(slugOf("!!!")).toBe("ivr_flow");
    expect(slugOf("9 to 5")).toBe("ivr_9_to_5");
  });
});

describe("parseTemplate", () => {
  it("expands ${name} only", () => {
    expect(parseTemplate("Hi ${name}!")).toEqual([
      { kind: "text", text: "Hi " },
      { kind: "var", name: "name" },
      { kind: "text", text: "!" },
    ]);
    expect(parseTemplate("$${sound_prefix}/x ${a b} ${1x} ${")).toEqual([{ kind: "text", text: "$${sound_prefix}/x ${a b} ${1x} ${" }]);
    expect(parseTemplate("")).toEqual([{ kind: "text", text: "" }]);
  });
});

describe("FreeSWITCH regex argument", () => {
  const cases = ["it's", " a b ", "\\s+\\d", "[\\s]", "a|b~c/d", "\\\\x", "\\/", "\\~", "[]']", "\\t\\n\\r", '\\"q"'];
  it.each(cases)("%j survives mod_commands' splitter with the same meaning", (p) => {
    const d = regexDelimiter(p);
    const [subject, pattern] = regexArgs(`m:${d}subject${d}${fsRegexArg(p, d)}`);
    expect(subject).toBe("subject");
    for (const probe of ["it's", " a b ", " \t9", "a", "b~c/d", "\\x", "/", "~", "]", "'", "\t\n\r", '"q"', "s"]) {
      expect(new RegExp(pattern).test(probe), `${p} on ${JSON.stringify(probe)}`).toBe(new RegExp(p).test(probe));
    }
  });
  it("prefers a delimiter absent from the pattern", () => {
    expect(regexDelimiter("a|b")).toBe("~");
    expect(regexDelimiter("~|")).toBe("/");
    expect(regexDelimiter("~/")).toBe("|");
    expect(regexDelimiter("~/|")).toBe("~");
  });
});

describe("Emitter", () => {
  it("indents and records 1-based inclusive node ranges", () => {
    const e = new Emitter("  ");
    e.line("a");
    e.blank();
    e.blank();
    e.node("n", () => {
      e.line("b");
      e.indent(() => e.line("c"));
    });
    e.raw("  raw");
    expect(e.toString()).toBe("a\n\nb\n  c\n  raw\n");
    expect(e.map).toEqual({ n: { start: 3, end: 4 } });
  });
});
