// Lua printer: ScriptIR -> a FreeSWITCH 1.10 mod_lua script (Lua 5.2 syntax). It only
// prints; every session call is checked against the binding's arity table.
import { GENERATOR_VERSION, type GeneratedScript } from "../index";
import { Emitter } from "../common/emitter";
import { commentText, luaString } from "../common/escape";
import { operandNeedsNoParens, type BinOp, type Expr, type ScriptIR, type Stmt } from "../common/ir";
import { nodeNames } from "../common/naming";
import { checkArity, SESSION_METHODS } from "./binding";
import { fsRegexArg, regexDelimiter } from "./fs-regex";
import { LUA_HELPER_NAMES, LUA_HELPERS } from "./helpers";

export const LUA_KEY_GLOBAL = "ivr_key";
export const LUA_HANGUP_HOOK = "ivr_on_hangup";
export const luaCallbackName = (id: string) => `ivr_${id}`;

const OPS: Record<BinOp, string> = {
  "==": "==", "~=": "~=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", and: "and", or: "or", orElse: "or", "+": "+",
};

export class LuaPrintError extends Error {}

class LuaPrinter {
  private readonly out = new Emitter("  ");
  private readonly nodeKey: (id: string) => string;

  constructor(private readonly ir: ScriptIR) {
    this.nodeKey = nodeNames(ir.nodes.map((n) => n.id), "lua");
  }

  expr(e: Expr): string {
    switch (e.k) {
      case "str":
        return luaString(e.v);
      case "num":
        if (!Number.isFinite(e.v)) throw new LuaPrintError(`internal: non-finite number ${e.v}`);
        return String(e.v);
      case "bool":
        return e.v ? "true" : "false";
      case "nil":
        return "nil";
      case "ref":
        return e.name;
      case "key":
        return LUA_KEY_GLOBAL;
      case "call": {
        const problem = checkArity(SESSION_METHODS, e.method, e.args.length);
        if (problem) throw new LuaPrintError(`internal: session:${problem}`);
        return `session:${e.method}(${e.args.map((a) => this.expr(a)).join(", ")})`;
      }
      case "orEmpty":
        return `(${this.expr(e.e)} or "")`;
      case "concat":
        return e.parts.map((p) => this.operand(p)).join(" .. ");
      case "bin": {
        // Comparisons under and/or, and chains of the same and/or, need no parentheses.
        const side = (x: Expr) =>
          operandNeedsNoParens(e, x)
            ? this.expr(x)
            : this.operand(x);
        return `${side(e.a)} ${OPS[e.op]} ${side(e.b)}`;
      }
      case "helper": {
        const fn = LUA_HELPER_NAMES[e.name];
        if (e.name === "regex") {
          const [subject, pattern] = e.args;
          if (pattern?.k !== "str") throw new LuaPrintError("internal: regex pattern must be a literal");
          const delim = regexDelimiter(pattern.v);
          return `${fn}(${this.expr(subject)}, ${luaString(delim)}, ${luaString(fsRegexArg(pattern.v, delim))})`;
        }
        return `${fn}(${e.args.map((a) => this.expr(a)).join(", ")})`;
      }
      case "list":
        return e.items.length === 0 ? "{}" : `{ ${e.items.map((i) => this.expr(i)).join(", ")} }`;
      case "record":
        return `{ ${e.fields.map(([k, v]) => `${k} = ${this.expr(v)}`).join(", ")} }`;
      case "callback":
        return luaString(luaCallbackName(e.id));
      case "hangupHook":
        return luaString(LUA_HANGUP_HOOK);
      case "intString":
        return `string.format("%d", math.floor(${this.expr(e.e)}))`;
      case "len":
        return `string.len(${this.expr(e.e)})`;
    }
  }

  /** An expression used as an operand: compound ones in parentheses. */
  private operand(e: Expr): string {
    return e.k === "concat" || e.k === "bin" ? `(${this.expr(e)})` : this.expr(e);
  }

  stmts(list: Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  stmt(s: Stmt): void {
    const o = this.out;
    switch (s.k) {
      case "do":
        o.line(this.expr(s.e));
        break;
      case "local":
        o.line(`local ${s.name} = ${this.expr(s.e)}`);
        break;
      case "setKey":
        o.line(`${LUA_KEY_GLOBAL} = ${this.expr(s.e)}`);
        break;
      case "if":
        s.arms.forEach((arm, i) => {
          o.line(`${i === 0 ? "if" : "elseif"} ${this.expr(arm.cond)} then`);
          o.indent(() => this.stmts(arm.body));
        });
        if (s.otherwise) {
          o.line("else");
          o.indent(() => this.stmts(s.otherwise ?? []));
        }
        o.line("end");
        break;
      case "goto":
        if (s.target !== undefined) o.line(`return ${luaString(this.nodeKey(s.target))}`);
        else o.line(s.outcome === "" ? "return nil" : `return nil -- ${commentText(s.outcome, "lua")}: not connected, the script ends`);
        break;
      case "returnValue":
        o.line(`return ${this.expr(s.e)}`);
        break;
      case "comment":
        o.line(`-- ${commentText(s.text, "lua")}`);
        break;
      case "custom": {
        // The snippet is a string compiled by load(): it runs in its own chunk and cannot
        // reach this function's locals or leave the node; errors are logged, then Next.
        o.line(`local chunk, err = load(${luaString(s.lua)}, ${luaString(`=custom:${s.nodeId}`)})`);
        o.line("if chunk then");
        o.indent(() => {
          o.line("local ok, e = pcall(chunk)");
          o.line("if not ok then err = e end");
        });
        o.line("end");
        o.line("if err then");
        o.indent(() =>
          o.line(`session:consoleLog("err", ${luaString(`ivr: custom code in node ${s.nodeId} failed: `)} .. tostring(err) .. "\\n")`),
        );
        o.line("end");
        break;
      }
    }
  }

  print(): GeneratedScript {
    const o = this.out;
    const ir = this.ir;
    const file = `${ir.slug}.lua`;
    o.line(`-- ${commentText(ir.flowName, "lua")}`);
    if (ir.description) o.line(`-- ${commentText(ir.description, "lua")}`);
    o.line(`-- Flow version: ${commentText(ir.flowVersion, "lua")}. Generated by IVR Studio ${GENERATOR_VERSION}; do not edit by hand.`);
    o.line("--");
    o.line("-- Install on FreeSWITCH 1.10 (mod_lua):");
    o.line(`--   1. copy this file to $\${script_dir} as ${file}`);
    o.line(`--   2. dialplan: <action application="lua" data="${file}"/>`);
    o.line(`--   modules needed: ${ir.modules.join(", ")}`);
    o.line("-- Each node sets the channel variable ivr_node (CDRs, logs).");

    if (ir.helpers.length > 0) {
      o.blank();
      ir.helpers.forEach((h, i) => {
        if (i > 0) o.blank();
        o.block(LUA_HELPERS[h]);
      });
    }

    for (const cb of ir.keyCallbacks) {
      o.blank();
      o.line(`-- Input callback: stop the prompt on ${cb.keys.join(" ")} and keep the key in ${LUA_KEY_GLOBAL}.`);
      o.line(`function ${luaCallbackName(cb.id)}(s, kind, input, arg)`);
      o.indent(() => {
        o.line('if kind == "dtmf" then');
        o.indent(() => {
          o.line("local digit = string.upper(tostring(input.digit))");
          o.line(`if ${cb.keys.map((k) => `digit == ${luaString(k)}`).join(" or ")} then`);
          o.indent(() => {
            o.line(`${LUA_KEY_GLOBAL} = digit`);
            o.line('return "break"');
          });
          o.line("end");
        });
        o.line("end");
        o.line('return ""');
      });
      o.line("end");
    }

    if (ir.hangupHook) {
      o.blank();
      o.line(`function ${LUA_HANGUP_HOOK}(s, status, arg)`);
      o.indent(() => this.stmts(ir.hangupHook ?? []));
      o.line("end");
    }

    o.blank();
    o.line("local N = {}");
    for (const n of ir.nodes) {
      o.blank();
      o.node(n.id, () => {
        o.line(`-- ${commentText(n.id, "lua")} (${n.kind})${n.label ? `: ${commentText(n.label, "lua")}` : ""}`);
        o.line(`N.${this.nodeKey(n.id)} = function ()`);
        o.indent(() => this.stmts(n.body));
        o.line("end");
      });
    }

    o.blank();
    this.stmts(ir.prelude);
    o.blank();
    o.line(`local current = ${luaString(this.nodeKey(ir.startId))}`);
    o.line("while current ~= nil and session:ready() do");
    o.indent(() => o.line("current = N[current]()"));
    o.line("end");
    return { language: "lua", code: o.toString(), map: o.map };
  }
}

export function printLua(ir: ScriptIR): GeneratedScript {
  return new LuaPrinter(ir).print();
}
