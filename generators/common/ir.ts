// The small IR both printers read. Lowering (lower.ts) builds it once per flow; the Lua
// and TypeScript printers only turn it into text.

/** Helpers the printers provide in each language (see lua/helpers.ts, typescript/helpers.ts). */
export type HelperName = "regex" | "num" | "timeOfDay" | "http" | "fileName";

export type BinOp = "==" | "~=" | "<" | "<=" | ">" | ">=" | "and" | "or" | "orElse" | "+";

export type Expr =
  | { k: "str"; v: string }
  | { k: "num"; v: number }
  | { k: "bool"; v: boolean }
  | { k: "nil" }
  /** A local of the current function (fixed names chosen by the lowering). */
  | { k: "ref"; name: string }
  /** The barge-in key stored by the input callbacks (Lua global ivr_key). */
  | { k: "key" }
  /** session:<method>(args): checked against the binding's arity. */
  | { k: "call"; method: string; args: Expr[] }
  /** e or "" (a variable that may be unset). */
  | { k: "orEmpty"; e: Expr }
  | { k: "concat"; parts: Expr[] }
  | { k: "bin"; op: BinOp; a: Expr; b: Expr }
  | { k: "helper"; name: HelperName; args: Expr[] }
  | { k: "list"; items: Expr[] }
  | { k: "record"; fields: Array<[string, Expr]> }
  /** Reference to a DTMF input callback (a global function name in Lua). */
  | { k: "callback"; id: string }
  /** Reference to the hangup hook. */
  | { k: "hangupHook" }
  /** A number printed as a whole decimal string ("%d" of its floor). */
  | { k: "intString"; e: Expr }
  /** Length of a string (digits collected). */
  | { k: "len"; e: Expr };

export type Stmt =
  | { k: "do"; e: Expr }
  | { k: "local"; name: string; e: Expr }
  | { k: "setKey"; e: Expr }
  | { k: "if"; arms: Array<{ cond: Expr; body: Stmt[] }>; otherwise?: Stmt[] }
  /** Leave the node: go to `target` (a node id), or end the script when undefined. */
  | { k: "goto"; target: string | undefined; outcome: string }
  /** Return a plain value (hangup hook). */
  | { k: "returnValue"; e: Expr }
  | { k: "comment"; text: string }
  /** User code, one snippet per language, run so that it cannot leave its node. */
  | { k: "custom"; nodeId: string; lua: string; ts: string };

export interface NodeIR {
  id: string;
  kind: string;
  label: string;
  body: Stmt[];
}

export interface KeyCallbackIR {
  id: string;
  /** Upper-case DTMF keys that stop the current prompt/recording. */
  keys: string[];
}

export interface ScriptIR {
  flowName: string;
  description: string;
  flowVersion: string;
  /** Suggested script file name (slug.lua / slug.ts). */
  slug: string;
  /** FreeSWITCH modules the Lua script needs. */
  modules: string[];
  startId: string;
  nodes: NodeIR[];
  keyCallbacks: KeyCallbackIR[];
  /** Undefined when settings.hangupHook is "none". Params: `s`, `status`. */
  hangupHook?: Stmt[];
  prelude: Stmt[];
  helpers: HelperName[];
}

// Builders, to keep the lowering readable.
export const str = (v: string): Expr => ({ k: "str", v });
export const num = (v: number): Expr => ({ k: "num", v });
export const nil: Expr = { k: "nil" };
export const ref = (name: string): Expr => ({ k: "ref", name });
export const call = (method: string, ...args: Expr[]): Expr => ({ k: "call", method, args });
export const doCall = (method: string, ...args: Expr[]): Stmt => ({ k: "do", e: call(method, ...args) });
export const local = (name: string, e: Expr): Stmt => ({ k: "local", name, e });
export const bin = (op: BinOp, a: Expr, b: Expr): Expr => ({ k: "bin", op, a, b });
export const eq = (a: Expr, b: Expr) => bin("==", a, b);
export const anyOf = (conds: Expr[]): Expr => conds.reduce((acc, c) => bin("or", acc, c));
export const allOf = (conds: Expr[]): Expr => conds.reduce((acc, c) => bin("and", acc, c));
export const helper = (name: HelperName, ...args: Expr[]): Expr => ({ k: "helper", name, args });
export const getVar = (name: string): Expr => ({ k: "orEmpty", e: call("getVariable", str(name)) });

/** Every helper an IR tree uses, in a fixed order. */
export function helpersUsed(stmts: Stmt[]): HelperName[] {
  const used = new Set<HelperName>();
  const visitE = (e: Expr): void => {
    switch (e.k) {
      case "helper":
        used.add(e.name);
        e.args.forEach(visitE);
        break;
      case "call":
        e.args.forEach(visitE);
        break;
      case "orEmpty":
      case "intString":
      case "len":
        visitE(e.e);
        break;
      case "concat":
        e.parts.forEach(visitE);
        break;
      case "bin":
        visitE(e.a);
        visitE(e.b);
        break;
      case "list":
        e.items.forEach(visitE);
        break;
      case "record":
        e.fields.forEach(([, v]) => visitE(v));
        break;
      default:
        break;
    }
  };
  const visitS = (s: Stmt): void => {
    switch (s.k) {
      case "do":
      case "local":
      case "setKey":
      case "returnValue":
        visitE(s.e);
        break;
      case "if":
        for (const arm of s.arms) {
          visitE(arm.cond);
          arm.body.forEach(visitS);
        }
        s.otherwise?.forEach(visitS);
        break;
      default:
        break;
    }
  };
  stmts.forEach(visitS);
  const order: HelperName[] = ["regex", "num", "timeOfDay", "http", "fileName"];
  return order.filter((h) => used.has(h));
}

const COMPARISON = new Set<BinOp>(["==", "~=", "<", "<=", ">", ">="]);
const LOGICAL = new Set<BinOp>(["and", "or"]);

/** Whether operand `x` of binary `e` reads the same without parentheses in both target languages. */
export function operandNeedsNoParens(e: Expr & { k: "bin" }, x: Expr): boolean {
  return x.k === "bin" && ((COMPARISON.has(x.op) && LOGICAL.has(e.op)) || (x.op === e.op && LOGICAL.has(e.op)));
}
