// TypeScript printer: ScriptIR -> a script for the IVR Studio runtime, typed against the
// async Session API. It only prints; session calls are checked against the same binding
// table as Lua (the runtime's Session mirrors it).
import { GENERATOR_VERSION, type GeneratedScript } from "../index";
import { Emitter } from "../common/emitter";
import { commentText, tsString } from "../common/escape";
import { operandNeedsNoParens, type BinOp, type Expr, type ScriptIR, type Stmt } from "../common/ir";
import { nodeNames } from "../common/naming";
import { checkArity, SESSION_METHODS } from "../lua/binding";
import { TS_ASYNC_HELPERS, TS_HELPER_NAMES, TS_HELPERS } from "./helpers";

export const TS_KEY_VARIABLE = "ivrKey";
export const TS_HANGUP_HOOK = "ivrOnHangup";
const callbackName = (id: string) => `ivr${id.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase())}`;

const OPS: Record<BinOp, string> = {
  "==": "===", "~=": "!==", "<": "<", "<=": "<=", ">": ">", ">=": ">=", and: "&&", or: "||", orElse: "??", "+": "+",
};

export class TsPrintError extends Error {}

class TsPrinter {
  private readonly out = new Emitter("  ");
  private readonly nodeKey: (id: string) => string;

  constructor(private readonly ir: ScriptIR) {
    this.nodeKey = nodeNames(ir.nodes.map((n) => n.id), "ts");
  }

  expr(e: Expr): string {
    switch (e.k) {
      case "str":
        return tsString(e.v);
      case "num":
        if (!Number.isFinite(e.v)) throw new TsPrintError(`internal: non-finite number ${e.v}`);
        return String(e.v);
      case "bool":
        return e.v ? "true" : "false";
      case "nil":
        return "undefined";
      case "ref":
        return e.name;
      case "key":
        return TS_KEY_VARIABLE;
      case "call": {
        const problem = checkArity(SESSION_METHODS, e.method, e.args.length);
        if (problem) throw new TsPrintError(`internal: session.${problem}`);
        return `await session.${e.method}(${e.args.map((a) => this.expr(a)).join(", ")})`;
      }
      case "orEmpty":
        return `(${this.operand(e.e)} ?? "")`;
      case "concat":
        return e.parts.map((p) => this.operand(p)).join(" + ");
      case "bin": {
        // Comparisons under and/or, and chains of the same and/or, need no parentheses.
        const side = (x: Expr) =>
          operandNeedsNoParens(e, x)
            ? this.expr(x)
            : this.operand(x);
        // `v !== "1"` would narrow v to "1" in the else branch and make TypeScript reject
        // the next test of the same variable: compare with the literal widened to string.
        if (e.op === "~=" && e.b.k === "str") return `${side(e.a)} !== (${this.expr(e.b)} as string)`;
        return `${side(e.a)} ${OPS[e.op]} ${side(e.b)}`;
      }
      case "helper": {
        const args = e.args.map((a) => this.expr(a));
        if (TS_ASYNC_HELPERS.has(e.name)) return `await ${TS_HELPER_NAMES[e.name]}(session, ${args.join(", ")})`;
        return `${TS_HELPER_NAMES[e.name]}(${args.join(", ")})`;
      }
      case "list":
        return `[${e.items.map((i) => this.expr(i)).join(", ")}]`;
      case "record":
        return `{ ${e.fields.map(([k, v]) => `${k}: ${this.expr(v)}`).join(", ")} }`;
      case "callback":
        return callbackName(e.id);
      case "hangupHook":
        return TS_HANGUP_HOOK;
      case "intString":
        return `String(Math.floor(${this.expr(e.e)}))`;
      case "len":
        return `${this.operand(e.e)}.length`;
    }
  }

  /** An expression used as an operand: compound ones and awaits in parentheses. */
  private operand(e: Expr): string {
    const s = this.expr(e);
    return e.k === "concat" || e.k === "bin" || s.startsWith("await ") ? `(${s})` : s;
  }

  stmts(list: Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  stmt(s: Stmt): void {
    const o = this.out;
    switch (s.k) {
      case "do":
        o.line(`${this.expr(s.e)};`);
        break;
      case "local":
        o.line(`const ${s.name} = ${this.expr(s.e)};`);
        break;
      case "setKey":
        o.line(`${TS_KEY_VARIABLE} = ${this.expr(s.e)};`);
        break;
      case "if":
        s.arms.forEach((arm, i) => {
          o.line(`${i === 0 ? "if" : "} else if"} (${this.expr(arm.cond)}) {`);
          o.indent(() => this.stmts(arm.body));
        });
        if (s.otherwise) {
          o.line("} else {");
          o.indent(() => this.stmts(s.otherwise ?? []));
        }
        o.line("}");
        break;
      case "goto":
        if (s.target !== undefined) o.line(`return ${tsString(this.nodeKey(s.target))};`);
        else o.line(s.outcome === "" ? "return undefined;" : `return undefined; // ${commentText(s.outcome, "ts")}: not connected, the script ends`);
        break;
      case "returnValue":
        o.line(`return ${this.expr(s.e)};`);
        break;
      case "comment":
        o.line(`// ${commentText(s.text, "ts")}`);
        break;
      case "custom":
        // Admin-only kind: the TypeScript snippet is inserted verbatim, inside its own
        // async function so that its locals and returns stay in the node.
        o.line("try {");
        o.indent(() => {
          o.line("await (async () => {");
          for (const l of s.ts.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n")) o.raw(l);
          o.line("})();");
        });
        o.line("} catch (err) {");
        o.indent(() =>
          o.line(`await session.consoleLog("err", ${tsString(`ivr: custom code in node ${s.nodeId} failed: `)} + String(err) + "\\n");`),
        );
        o.line("}");
        break;
    }
  }

  print(): GeneratedScript {
    const o = this.out;
    const ir = this.ir;
    o.line(`// ${commentText(ir.flowName, "ts")}`);
    if (ir.description) o.line(`// ${commentText(ir.description, "ts")}`);
    o.line(`// Flow version: ${commentText(ir.flowVersion, "ts")}. Generated by IVR Studio ${GENERATOR_VERSION}; do not edit by hand.`);
    o.line("// Runs on the IVR Studio runtime (Session API = FreeSWITCH mod_lua's session, async).");
    o.line("// Each node sets the channel variable ivr_node. Custom code nodes are inserted verbatim.");
    o.line('import type { Session, DtmfInput } from "ivr-studio/runtime";');

    for (const h of ir.helpers) {
      o.blank();
      o.block(TS_HELPERS[h]);
    }

    o.blank();
    o.line("export default async function main(session: Session, argv: string[]): Promise<void> {");
    o.indent(() => {
      o.line("void argv;");
      if (ir.keyCallbacks.length > 0) o.line(`let ${TS_KEY_VARIABLE} = "";`);
      for (const cb of ir.keyCallbacks) {
        o.blank();
        o.line(`// Input callback: stop the prompt on ${cb.keys.join(" ")} and keep the key in ${TS_KEY_VARIABLE}.`);
        o.line(`const ${callbackName(cb.id)} = (_s: Session, type: string, input: unknown): string => {`);
        o.indent(() => {
          o.line('if (type === "dtmf") {');
          o.indent(() => {
            o.line("const digit = String((input as DtmfInput).digit).toUpperCase();");
            o.line(`if (${cb.keys.map((k) => `digit === ${tsString(k)}`).join(" || ")}) {`);
            o.indent(() => {
              o.line(`${TS_KEY_VARIABLE} = digit;`);
              o.line('return "break";');
            });
            o.line("}");
          });
          o.line("}");
          o.line('return "";');
        });
        o.line("};");
      }
      if (ir.hangupHook) {
        o.blank();
        o.line(`const ${TS_HANGUP_HOOK} = async (_s: Session, status: string): Promise<string> => {`);
        o.indent(() => this.stmts(ir.hangupHook ?? []));
        o.line("};");
      }

      o.blank();
      o.line("const N: Record<string, () => Promise<string | undefined>> = {};");
      for (const n of ir.nodes) {
        o.blank();
        o.node(n.id, () => {
          o.line(`// ${commentText(n.id, "ts")} (${n.kind})${n.label ? `: ${commentText(n.label, "ts")}` : ""}`);
          o.line(`N.${this.nodeKey(n.id)} = async () => {`);
          o.indent(() => this.stmts(n.body));
          o.line("};");
        });
      }

      o.blank();
      this.stmts(ir.prelude);
      o.blank();
      o.line(`let current: string | undefined = ${tsString(this.nodeKey(ir.startId))};`);
      o.line("while (current !== undefined && (await session.ready())) {");
      o.indent(() => o.line("current = await N[current]();"));
      o.line("}");
    });
    o.line("}");
    return { language: "ts", code: o.toString(), map: o.map };
  }
}

export function printTs(ir: ScriptIR): GeneratedScript {
  return new TsPrinter(ir).print();
}
