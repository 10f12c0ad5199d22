// Lowering, shared by both languages: each node becomes a few IR statements, chosen by
// kind through an exhaustive table (a new catalog kind without a lowering is a type
// error). Outcomes resolve to target node ids through the edges; an unconnected outcome
// ends the script.
import {
  BRIDGE_CAUSE_OUTCOMES,
  CATALOG,
  choiceRegex,
  hhmmToMinutes,
  isLiteralChoice,
  keyOutcome,
  menuInputRegex,
  parseParams,
  uniqueDigits,
  WEEKDAYS,
  type FlowGraph,
  type FlowNode,
  type NodeKind,
  type ParamsOf,
} from "../../flow";
import {
  allOf,
  anyOf,
  bin,
  call,
  doCall,
  eq,
  getVar,
  helper,
  helpersUsed,
  local,
  nil,
  num,
  ref,
  str,
  type Expr,
  type KeyCallbackIR,
  type NodeIR,
  type ScriptIR,
  type Stmt,
} from "./ir";
import { modulesFor } from "./modules";
import { slugOf } from "./slug";
import { parseTemplate } from "./template";

/** Set by a Hangup node before it hangs up (visible in CDRs as well). */
export const FLOW_HANGUP_VAR = "ivr_hangup_by_flow";

export interface LowerCtx {
  readonly flow: FlowGraph;
  readonly node: FlowNode;
  /** Leave the node through `outcome`. */
  go(outcome: string): Stmt;
  /** Id of the input callback that stops on one of `keys`. */
  keyCallback(keys: string): string;
}

type Lowerer<K extends NodeKind> = (p: ParamsOf<K>, ctx: LowerCtx) => Stmt[];
type Lowerers = { [K in NodeKind]: Lowerer<K> };

/** A template parameter: literal parts and (getVariable(name) or "") for each ${name}. */
export function template(s: string): Expr {
  const parts = parseTemplate(s).map((p) => (p.kind === "text" ? str(p.text) : getVar(p.name)));
  return parts.length === 1 ? parts[0] : { k: "concat", parts };
}

/**
 * A Record path: under the recordings folder (`recordings_dir`, a FreeSWITCH global that
 * getVariable falls back to), each ${var} reduced to a file name so call data (a caller ID...)
 * never adds a folder or climbs out with "..".
 */
function recordingPath(s: string): Expr {
  const parts: Expr[] = [getVar("recordings_dir"), str("/")];
  for (const p of parseTemplate(s)) {
    const last = parts[parts.length - 1];
    if (p.kind === "var") parts.push(helper("fileName", getVar(p.name)));
    else if (last.k === "str") parts[parts.length - 1] = str(last.v + p.text);
    else parts.push(str(p.text));
  }
  return { k: "concat", parts };
}

const orNil = (s: string): Expr => (s === "" ? nil : str(s));
const setVar = (name: string, value: Expr): Stmt => doCall("setVariable", str(name), value);

/** sensitive_dtmf around a DTMF collection, so FreeSWITCH logs the digits as ***. */
function sensitive(on: boolean, body: Stmt[]): Stmt[] {
  if (!on) return body;
  // The last statements of `body` are the outcome tests (returns): unset before them.
  const firstExit = body.findIndex((s) => s.k === "if" || s.k === "goto");
  const head = firstExit < 0 ? body : body.slice(0, firstExit);
  const tail = firstExit < 0 ? [] : body.slice(firstExit);
  return [setVar("sensitive_dtmf", str("true")), ...head, setVar("sensitive_dtmf", nil), ...tail];
}

const LOWER: Lowerers = {
  start: (_p, ctx) => [ctx.go("next")],
  answer: (_p, ctx) => [doCall("answer"), ctx.go("next")],
  pre_answer: (_p, ctx) => [doCall("preAnswer"), ctx.go("next")],
  // Marked so the hangup hook can tell the flow's own hangup from the caller's.
  hangup: (p, ctx) => [doCall("setVariable", str(FLOW_HANGUP_VAR), str("true")), doCall("hangup", str(p.cause)), ctx.go("")],
  transfer: (p, ctx) => [
    doCall("transfer", template(p.destination), orNil(p.dialplan), orNil(p.context)),
    // The transfer happens when the script returns: return at once.
    ctx.go(""),
  ],
  bridge: (p, ctx) => {
    const cause = ref("cause");
    const causeIn = (list: readonly string[]) => anyOf(list.map((c) => eq(cause, str(c))));
    // The call ends with the bridged call: the flow's own doing, so the hangup hook stays quiet.
    const afterAnswer = p.hangupAfterBridge ? [setVar(FLOW_HANGUP_VAR, str("true")), ctx.go("")] : [ctx.go("answered")];
    // The variables come from the catalog (continue_on_fail, hangup_after_bridge, ivr_allow_refer...).
    const vars = CATALOG.bridge.channelVariables!(p);
    return [
      ...vars.map((v) => setVar(v.name, str(v.value))),
      doCall("execute", str("bridge"), str(p.dialString)),
      ...vars.filter((v) => v.unsetAfter).map((v) => setVar(v.name, nil)),
      local("disposition", getVar("originate_disposition")),
      {
        k: "if",
        arms: [{
          cond: anyOf([eq(ref("disposition"), str("SUCCESS")), eq(ref("disposition"), str("ANSWER"))]),
          body: afterAnswer,
        }],
      },
      local("cause", bin("orElse", call("getVariable", str("originate_failed_cause")), ref("disposition"))),
      {
        k: "if",
        arms: [
          { cond: causeIn(BRIDGE_CAUSE_OUTCOMES.busy), body: [ctx.go("busy")] },
          { cond: causeIn(BRIDGE_CAUSE_OUTCOMES.no_answer), body: [ctx.go("no_answer")] },
        ],
      },
      ctx.go("failed"),
    ];
  },
  execute: (p, ctx) => [
    p.data === "" ? doCall("execute", str(p.application)) : doCall("execute", str(p.application), str(p.data)),
    ctx.go("next"),
  ],
  flush_digits: (_p, ctx) => [doCall("flushDigits"), ctx.go("next")],

  play: (p, ctx) => {
    if (p.interruptKeys === "") return [doCall("streamFile", str(p.file)), ctx.go("next")];
    const cb = ctx.keyCallback(p.interruptKeys);
    const key: Expr = { k: "key" };
    const body: Stmt[] = [
      { k: "setKey", e: str("") },
      doCall("setInputCallback", { k: "callback", id: cb }),
      doCall("streamFile", str(p.file)),
      doCall("unsetInputCallback"),
    ];
    if (p.keyVariable) {
      body.push({
        k: "if",
        arms: [{ cond: bin("~=", key, str("")), body: [setVar(p.keyVariable, key)] }],
        otherwise: [setVar(p.keyVariable, nil)],
      });
    }
    if (p.branchOnKey) {
      const digits = uniqueDigits(p.interruptKeys.toUpperCase());
      body.push({ k: "if", arms: digits.map((d) => ({ cond: eq(key, str(d)), body: [ctx.go(keyOutcome(d))] })) });
    }
    body.push(ctx.go("next"));
    return body;
  },
  say: (p, ctx) => [
    p.gender === ""
      ? doCall("say", template(p.text), str(p.language), str(p.sayType), str(p.method))
      : doCall("say", template(p.text), str(p.language), str(p.sayType), str(p.method), str(p.gender)),
    ctx.go("next"),
  ],
  speak: (p, ctx) => {
    const engine = str(ctx.flow.settings.ttsEngine);
    if (p.voice === "") return [doCall("speak", template(p.text)), ctx.go("next")];
    return [
      doCall("set_tts_params", engine, str(p.voice)),
      doCall("speak", template(p.text)),
      // Back to the flow's voice for the nodes after this one.
      doCall("set_tts_params", engine, str(ctx.flow.settings.ttsVoice)),
      ctx.go("next"),
    ];
  },
  phrase: (p, ctx) => [doCall("sayPhrase", str(p.name), template(p.data), orNil(p.language)), ctx.go("next")],
  sleep: (p, ctx) => [doCall("sleep", num(p.ms)), ctx.go("next")],
  record: (p, ctx) => {
    const body: Stmt[] = [];
    if (p.beep) body.push(doCall("streamFile", str("tone_stream://%(500,0,800)")));
    body.push(local("path", recordingPath(p.path)));
    const rec = doCall("recordFile", ref("path"), num(p.maxSeconds), num(p.silenceThreshold), num(p.silenceSeconds));
    if (p.stopKeys !== "") {
      const cb = ctx.keyCallback(p.stopKeys);
      body.push({ k: "setKey", e: str("") }, doCall("setInputCallback", { k: "callback", id: cb }), rec, doCall("unsetInputCallback"));
    } else {
      body.push(rec);
    }
    if (p.variable) body.push(setVar(p.variable, ref("path")));
    body.push(ctx.go("next"));
    return body;
  },

  menu: (p, ctx) => {
    const digits = ref("digits");
    const body: Stmt[] = [
      local("digits", call(
        "playAndGetDigits",
        num(p.minDigits), num(p.maxDigits), num(p.tries), num(p.timeoutMs), str(p.terminators),
        str(p.prompt), str(p.invalidPrompt), str(menuInputRegex(p.choices)),
        orNil(p.variable), num(p.digitTimeoutMs), orNil(p.transferOnFailure),
      )),
      {
        k: "if",
        arms: [
          // All tries failed: "" (tested first, a pattern choice could match "").
          { cond: eq(digits, str("")), body: [ctx.go("failed")] },
          ...p.choices.map((c) => ({
            cond: isLiteralChoice(c.key) ? eq(digits, str(c.key)) : helper("regex", digits, str(choiceRegex(c.key))),
            body: [ctx.go(c.key)],
          })),
        ],
      },
      ctx.go("failed"),
    ];
    return sensitive(p.sensitive, body);
  },
  read_digits: (p, ctx) => {
    const digits = ref("digits");
    // Enough digits, whatever read_result says: FreeSWITCH reports "timeout" when the caller
    // typed a valid entry and waited instead of pressing a terminator (PAGD counts that as success).
    const ok = bin(">=", { k: "len", e: digits }, num(p.minDigits));
    const body: Stmt[] = [
      local("digits", call("read", num(p.minDigits), num(p.maxDigits), str(p.prompt), num(p.timeoutMs), str(p.terminators), num(p.digitTimeoutMs))),
      ...(p.variable ? [setVar(p.variable, digits)] : []),
      {
        k: "if",
        arms: [{
          cond: p.regex === "" ? ok : allOf([ok, helper("regex", digits, str(`^(?:${p.regex})$`))]),
          body: [ctx.go("next")],
        }],
      },
      ctx.go("failed"),
    ];
    return sensitive(p.sensitive, body);
  },
  get_digits: (p, ctx) => {
    const body: Stmt[] = [
      local("digits", call("getDigits", num(p.maxDigits), str(p.terminators), num(p.timeoutMs), num(p.interDigitMs), num(p.overallMs))),
      ...(p.variable ? [setVar(p.variable, ref("digits"))] : []),
      { k: "if", arms: [{ cond: bin("~=", ref("digits"), str("")), body: [ctx.go("next")] }] },
      ctx.go("failed"),
    ];
    return sensitive(p.sensitive, body);
  },

  set_variable: (p, ctx) => {
    if (p.name === "") return [{ k: "comment", text: "no variable name" }, ctx.go("next")];
    if (p.mode === "unset") return [setVar(p.name, nil), ctx.go("next")];
    if (p.mode === "set") return [setVar(p.name, template(p.value)), ctx.go("next")];
    const step = /^\s*[-+]?\d+\s*$/.test(p.value) ? parseInt(p.value, 10) : 1;
    return [
      local("n", bin("+", bin("orElse", helper("num", call("getVariable", str(p.name))), num(0)), num(step))),
      setVar(p.name, { k: "intString", e: ref("n") }),
      ctx.go("next"),
    ];
  },
  branch: (p, ctx) => {
    const v = ref("v");
    const n = ref("n");
    const numeric = p.cases.some((c) => c.op === "lt" || c.op === "le" || c.op === "gt" || c.op === "ge");
    const cond = (c: (typeof p.cases)[number]): Expr => {
      switch (c.op) {
        case "equals":
          return eq(v, str(c.value));
        case "not_equals":
          return bin("~=", v, str(c.value));
        case "regex":
          // Used as written (unanchored), like a FreeSWITCH dialplan condition.
          return c.value === "" ? { k: "bool", v: true } : helper("regex", v, str(c.value));
        case "empty":
          return eq(v, str(""));
        case "not_empty":
          return bin("~=", v, str(""));
        case "lt":
        case "le":
        case "gt":
        case "ge": {
          const value = Number(c.value);
          if (c.value.trim() === "" || !Number.isFinite(value)) return { k: "bool", v: false };
          const op = ({ lt: "<", le: "<=", gt: ">", ge: ">=" } as const)[c.op];
          return allOf([bin("~=", n, nil), bin(op, n, num(value))]);
        }
      }
    };
    const body: Stmt[] = [local("v", getVar(p.variable))];
    if (numeric) body.push(local("n", helper("num", v)));
    if (p.cases.length > 0) body.push({ k: "if", arms: p.cases.map((c) => ({ cond: cond(c), body: [ctx.go(c.key)] })) });
    body.push(ctx.go("default"));
    return body;
  },
  time_of_day: (p, ctx) => {
    const hours: Expr = {
      k: "list",
      items: p.hours.map((h) => ({
        k: "record",
        fields: [
          ["days", { k: "list", items: h.days.map((d) => num(WEEKDAYS.indexOf(d))) }],
          ["from", num(hhmmToMinutes(h.from))],
          ["to", num(hhmmToMinutes(h.to))],
        ],
      })),
    };
    const holidays: Expr = { k: "list", items: p.holidays.map((h) => str(h.date)) };
    return [
      local("r", helper("timeOfDay", str(p.timezone), hours, holidays)),
      {
        k: "if",
        arms: [
          { cond: eq(ref("r"), str("open")), body: [ctx.go("open")] },
          { cond: eq(ref("r"), str("holiday")), body: [ctx.go("holiday")] },
        ],
      },
      ctx.go("closed"),
    ];
  },
  log: (p, ctx) => {
    const msg = template(p.message);
    const parts = msg.k === "concat" ? [...msg.parts, str("\n")] : [msg, str("\n")];
    const merged: Expr = parts.length === 2 && parts[0].k === "str" ? str(parts[0].v + "\n") : { k: "concat", parts };
    return [doCall("consoleLog", str(p.level), merged), ctx.go("next")];
  },
  http_request: (p, ctx) => {
    const request: Expr = {
      k: "record",
      fields: [
        ["method", str(p.method)],
        ["url", template(p.url)],
        ["headers", { k: "list", items: p.headers.map((h) => ({ k: "record", fields: [["name", str(h.name)], ["value", template(h.value)]] })) }],
        ["contentType", str(p.contentType)],
        ["body", template(p.body)],
        ["timeoutMs", num(p.timeoutMs)],
        ["statusVariable", str(p.statusVariable)],
        ["responseVariables", { k: "list", items: p.responseVariables.map((r) => ({ k: "record", fields: [["name", str(r.name)], ["path", str(r.value)]] })) }],
      ],
    };
    return [
      local("ok", helper("http", request)),
      { k: "if", arms: [{ cond: ref("ok"), body: [ctx.go("success")] }] },
      ctx.go("failure"),
    ];
  },
  custom_code: (p, ctx) => [{ k: "custom", nodeId: ctx.node.id, lua: p.lua, ts: p.ts }, ctx.go("next")],
};

/** Thrown for a node that cannot be lowered (unknown kind, bad params): validate() reports these first. */
export class LoweringError extends Error {
  constructor(
    message: string,
    readonly nodeId: string,
    readonly reason: "kind" | "params",
  ) {
    super(message);
    this.name = "LoweringError";
  }
}

function lowerNode(
  flow: FlowGraph,
  node: FlowNode,
  outgoing: readonly FlowGraph["edges"][number][],
  nodeIds: ReadonlySet<string>,
  keyCallback: (k: string) => string,
): NodeIR {
  const kind = node.kind as NodeKind;
  if (!(kind in LOWER)) throw new LoweringError(`Node ${node.id}: unknown kind ${node.kind}`, node.id, "kind");
  const params = parseParams(kind, node.params);
  if (params === undefined) throw new LoweringError(`Node ${node.id}: invalid parameters`, node.id, "params");
  const ctx: LowerCtx = {
    flow,
    node,
    go: (outcome) => {
      const edge = outcome === "" ? undefined : outgoing.find((e) => e.outcome === outcome);
      return { k: "goto", outcome, target: edge && nodeIds.has(edge.target) ? edge.target : undefined };
    },
    keyCallback,
  };
  const body = (LOWER[kind] as Lowerer<NodeKind>)(params, ctx);
  return {
    id: node.id,
    kind: node.kind,
    label: node.label,
    body: [{ k: "do", e: call("setVariable", str("ivr_node"), str(node.id)) }, ...body],
  };
}

/** Lower a whole flow (already validated) to the IR both printers read. */
export function lowerFlow(flow: FlowGraph, flowVersion: string): ScriptIR {
  const start = flow.nodes.find((n) => n.kind === "start");
  if (!start) throw new LoweringError("The flow has no Start node", "", "kind");
  const nodeIds = new Set(flow.nodes.map((n) => n.id));

  const keyCallbacks: KeyCallbackIR[] = [];
  const keyCallback = (raw: string): string => {
    const keys = uniqueDigits(raw.toUpperCase());
    const sig = keys.join("");
    let cb = keyCallbacks.find((c) => c.keys.join("") === sig);
    if (!cb) {
      cb = { id: `keys_${keyCallbacks.length + 1}`, keys };
      keyCallbacks.push(cb);
    }
    return cb.id;
  };

  const outgoing = new Map<string, FlowGraph["edges"]>();
  for (const e of flow.edges) {
    const list = outgoing.get(e.source);
    if (list) list.push(e);
    else outgoing.set(e.source, [e]);
  }
  const nodes = flow.nodes.map((n) => lowerNode(flow, n, outgoing.get(n.id) ?? [], nodeIds, keyCallback));
  const s = flow.settings;
  const prelude: Stmt[] = [doCall("setVariable", str("default_language"), str(s.language))];
  for (const v of s.variables) {
    if (v.name === "") continue;
    prelude.push({
      k: "if",
      arms: [{ cond: eq(call("getVariable", str(v.name)), nil), body: [doCall("setVariable", str(v.name), str(v.value))] }],
    });
  }
  if (flow.nodes.some((n) => n.kind === "speak")) prelude.push(doCall("set_tts_params", str(s.ttsEngine), str(s.ttsVoice)));

  let hangupHook: Stmt[] | undefined;
  if (s.hangupHook !== "none") {
    hangupHook = [
      // A transfer or a Hangup node of the flow also fires the hook: the script ends normally then.
      {
        k: "if",
        arms: [
          {
            cond: bin("or", bin("~=", ref("status"), str("hangup")), eq(getVar(FLOW_HANGUP_VAR), str("true"))),
            body: [{ k: "returnValue", e: str("") }],
          },
        ],
      },
      // Whoever ended it (the caller, the far end of a bridge, a timeout, custom code): the hook
      // cannot tell, and FreeSWITCH has no hangup_cause yet at this point.
      {
        k: "do",
        e: call("consoleLog", str("info"), {
          k: "concat",
          parts: [str("ivr: the call ended in node "), getVar("ivr_node"), str(" before the flow finished\n")],
        }),
      },
      { k: "returnValue", e: str(s.hangupHook === "exit" ? "exit" : "") },
    ];
    prelude.push(doCall("setHangupHook", { k: "hangupHook" }));
  }

  const all = [...nodes.flatMap((n) => n.body), ...prelude];
  return {
    flowName: flow.name,
    description: flow.description,
    flowVersion,
    slug: slugOf(flow.name),
    modules: modulesFor(flow),
    startId: start.id,
    nodes,
    keyCallbacks,
    hangupHook,
    prelude,
    helpers: helpersUsed(all),
  };
}
