// Hostile strings through every kind of user text the generators print (prompt path,
// regex, TTS text, variable value, log message, custom code, node id, URL/header/body):
// the generated Lua is executed by lua5.2/5.3/5.4 and the TS on the runtime's TS host, and
// the exact original bytes must reach the runtime's session (or FreeSWITCH's argument
// splitter must hand back exactly the original subject and an equivalent pattern). (The
// runtime's Lua host ends strings at a NUL, as mod_lua's char * does: not run here.)
import { describe, expect, it } from "vitest";
import { luaString, tsString } from "../../generators/common/escape";
import { lowerFlow } from "../../generators/common/lower";
import { printLua } from "../../generators/lua/print";
import { printTs } from "../../generators/typescript/print";
import { regexArgs } from "../../runtime/host/fs-api";
import { compileSafeRegex } from "../../runtime/safe-regex";
import { argsOf, luaAvailable, PLAIN_LUA_VERSIONS, runLua, runTs, type RunResult, type ScriptedCaller } from "../support/run-flow";
import { buildFlow } from "./support/flows";

export const HOSTILE = [
  "quote \" and ' apostrophe \"\"",
  "]] ]=] ]==] [[ [=[ [==[",
  "line1\nline2\r\nline3\rend",
  "nul\u0000byte\u0000",
  "back\\slash \\\\ \\n \\0 \\x41 \\u0041 \\",
  "non-ascii: é ü 中文 😀 \u2028 \u2029 \ufeff",
  "${not a var} $${global} ${who} $ {x} ${ ${1x} ${who",
  "\\065\\066 \\ddd lookalike \\1234 \\999",
  "*/ /* --[[ --]] -- // <!-- --> #!/lua",
  "tab\tand\u0001control\u007f\u0080",
  "ctrl\u00011\u00002\n3\u00e94",
  "`template ${`x`}` ' \" \\ end",
];

/** Reference ${name} expansion (independent of the generator's parser). */
function expand(s: string, vars: Record<string, string>): string {
  return s.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, dollar: string, name: string) => (dollar ? m : (vars[name] ?? "")));
}

const VARS: Record<string, string> = { who: "W\u00e9 \"x\" \\n" };

// Patterns (valid in JavaScript) full of what FreeSWITCH's argument splitter mangles.
const PATTERNS = [
  "it's",
  '"q"',
  " spaced ",
  "a\\sb",
  "\\\\",
  "~/|x",
  "[\\s'~/]+",
  "\\n\\t\\r",
  "\\'",
  "é+",
  "[]a]",
  "x\\/y",
  "(?:1|2)~3",
  "^\\d{2,}$",
  "\\x41\\u0042",
];
const SUBJECTS = ["it's", '"q"', " spaced ", "a b", "a\tb", "\\", "~/|x", "x' ~/", "\n\t\r", "'", "éé", "]", "x/y", "1~3", "2~3", "123", "AB", " ", ""];

function hostileFlow() {
  const nodes: Array<{ id: string; kind: string; params?: Record<string, unknown> }> = [{ id: "start", kind: "start" }];
  const chain: string[] = ["start"];
  const add = (id: string, kind: string, params: Record<string, unknown>) => {
    nodes.push({ id, kind, params });
    chain.push(id);
  };
  HOSTILE.forEach((h, i) => {
    const oneLine = h.replace(/[\r\n\u2028\u2029]/g, " ");
    add(`play_${i}`, "play", { file: h });
    add(`speak_${i}`, "speak", { text: h });
    add(`set_${i}`, "set_variable", { name: `h_${i}`, value: h });
    add(`log_${i}`, "log", { level: "info", message: h });
    add(`custom_${i}`, "custom_code", {
      lua: `session:setVariable("c_${i}", ${luaString(h)}) -- ${oneLine}\n`,
      ts: `await session.setVariable("c_${i}", ${tsString(h)}); // ${oneLine}\n`,
    });
  });
  PATTERNS.forEach((p, i) => {
    SUBJECTS.forEach((_s, j) => add(`re_${i}_${j}`, "branch", { variable: `subj_${j}`, cases: [{ key: "hit", op: "regex", value: p }] }));
  });
  add(`id ' " ]] \n end`, "log", { message: "hostile id" });
  add("http", "http_request", {
    method: "POST",
    url: "https://h.example/p?q=${who}&r=" + encodeURIComponent("a b"),
    headers: HOSTILE.map((h, i) => ({ name: `X-H${i}`, value: h })),
    body: HOSTILE.join("|"),
    statusVariable: "st",
  });
  const edges: Array<[string, string, string]> = [];
  for (let k = 0; k + 1 < chain.length; k++) {
    const from = nodes.find((n) => n.id === chain[k]);
    const outs = from?.kind === "branch" ? ["hit", "default"] : from?.kind === "http_request" ? ["success", "failure"] : ["next"];
    for (const o of outs) edges.push([chain[k], o, chain[k + 1]]);
  }
  return buildFlow(nodes, edges, {}, HOSTILE.join(" "));
}

function subjectsVars(): Record<string, string> {
  const v: Record<string, string> = { ...VARS };
  SUBJECTS.forEach((s, j) => (v[`subj_${j}`] = s));
  return v;
}

function checkRun(r: RunResult, lang: "lua" | "ts") {
  const vars = r.vars;
  const infoLogs = r.events.flatMap((e) => (e.type === "log" && e.level === "info" ? [{ level: e.level, message: e.message }] : []));
  HOSTILE.forEach((h, i) => {
    const expanded = expand(h, VARS);
    expect(argsOf(r, "streamFile")[i], `prompt ${i}`).toEqual([h]);
    expect(argsOf(r, "speak")[i], `speak ${i}`).toEqual([expanded]);
    expect(vars[`h_${i}`], `value ${i}`).toBe(expanded);
    expect(infoLogs[i], `log ${i}`).toEqual({ level: "info", message: expanded + "\n" });
    expect(vars[`c_${i}`], `custom ${i}`).toBe(h);
  });
  expect(argsOf(r, "setVariable").map((a) => a[1])).toContain(`id ' " ]] \n end`);
  // Regex: the outcome is the runtime engine's (RE2) on the original pattern and subject, and Lua's
  // trip through FreeSWITCH's splitter returns exactly the subject and an equivalent pattern.
  expect(r.path).toContain("http");
  if (lang === "lua") {
    const regex = r.trace.filter((t) => t.kind === "api" && t.method === "regex");
    expect(regex).toHaveLength(PATTERNS.length * SUBJECTS.length);
    PATTERNS.forEach((p, i) =>
      SUBJECTS.forEach((s, j) => {
        const call = regex[i * SUBJECTS.length + j];
        const [subject, pattern] = regexArgs(String(call.args[0]));
        expect(subject, `subject ${JSON.stringify(s)}`).toBe(s);
        // The runtime matches on RE2, which reads "[]a]" as PCRE (FreeSWITCH) does: a class of ] and a.
        const onRe2 = compileSafeRegex(p);
        const expected = onRe2.ok && onRe2.regex.test(s);
        expect(call.result, `${JSON.stringify(p)} on ${JSON.stringify(s)}`).toBe(expected ? "true" : "false");
        for (const probe of SUBJECTS) expect(new RegExp(pattern).test(probe)).toBe(new RegExp(p).test(probe));
      }),
    );
  }
  const [req] = r.events.flatMap((e) => (e.type === "http" ? [e.request] : []));
  const url = "https://h.example/p?q=" + VARS.who + "&r=a%20b";
  // Both leave as URLs (percent-encoded where needed); decoded, they are what the flow says.
  const decoded = Buffer.from(req.url.replace(/%([0-9A-F]{2})/gi, (_m, x: string) => String.fromCharCode(parseInt(x, 16))), "latin1").toString("utf8");
  expect(decoded).toBe(url.replace("a%20b", "a b"));
  if (lang === "lua") expect(req.url).not.toMatch(/[ '"\\]/);
  const headers = Object.fromEntries(HOSTILE.map((h, i) => [`x-h${i}`, expand(h, VARS).replace(/[\r\n]/g, " ")]));
  expect(req.headers).toMatchObject(headers);
  expect(req.body).toBe(expand(HOSTILE.join("|"), VARS));
}

describe("hostile strings", () => {
  const flow = hostileFlow();
  const ir = lowerFlow(flow, "draft");
  const caller = (): ScriptedCaller => ({ actions: [], variables: subjectsVars(), maxCalls: 100_000, http: [{ status: 200, body: "{}" }] });

  for (const bin of PLAIN_LUA_VERSIONS) {
    it.skipIf(!luaAvailable(bin))(`reach the session unchanged from Lua (${bin})`, async () => {
      const r = await runLua(printLua(ir).code, caller(), { lua: bin, timeoutMs: 30_000 });
      expect(r.error).toBeUndefined();
      expect(r.harnessError).toBeUndefined();
      checkRun(r, "lua");
    });
  }

  it("reach the session unchanged from TypeScript", async () => {
    const r = await runTs(printTs(ir).code, caller(), { timeoutMs: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.harnessError).toBeUndefined();
    checkRun(r, "ts");
  });

  it("never print long brackets, raw control bytes or template literals around user text", () => {
    const lua = printLua(ir).code;
    const ts = printTs(ir).code;
    // Outside string literals and comments, no long bracket opens anywhere.
    const luaCodeOnly = lua.replace(/"(?:\\.|[^"\\\n])*"/g, '""').replace(/--.*$/gm, "");
    expect(luaCodeOnly).not.toMatch(/\[=*\[/);
    expect(lua).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\uffff]/);
    expect(ts.split("\n").filter((l) => !l.includes("// ")).join("\n")).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\uffff]/);
    expect(ts).not.toMatch(/`[^`\n]*\$\{who\}/);
  });
});
