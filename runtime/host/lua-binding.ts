// The session methods the runtime's Lua host offers, with the binding's argument
// counts and types (mod_lua_wrap.cpp). The generator's table (generators/lua/binding.ts)
// must be a subset of this one: test/host checks it.

export type HostArgType = "int" | "string" | "bool" | "any" | "session";

/** What the binding pushes back to Lua: "nothing" means no value at all (select("#") is 0). */
export type HostReturn = "number" | "boolean" | "string" | "string|nil" | "nothing";

export interface HostSignature {
  class: "CoreSession" | "Session";
  types: HostArgType[];
  /** Explicit arguments required (not counting self). */
  min: number;
  returns: HostReturn;
}

type Sig = (min: number, returns: HostReturn, ...types: HostArgType[]) => HostSignature;
const s: Sig = (min, returns, ...types) => ({ class: "CoreSession", types, min, returns });
const l: Sig = (min, returns, ...types) => ({ class: "Session", types, min, returns });

export const HOST_SESSION_METHODS: Readonly<Record<string, HostSignature>> = {
  answer: s(0, "number"),
  preAnswer: s(0, "number"),
  answered: s(0, "boolean"),
  ready: l(0, "boolean"),
  mediaReady: s(0, "boolean"),
  bridged: s(0, "boolean"),
  hangup: s(0, "nothing", "string"),
  hangupCause: s(0, "string"),
  hangupState: s(0, "nothing"),
  getState: s(0, "string"),
  get_uuid: s(0, "string"),
  transfer: s(1, "number", "string", "string", "string"),
  execute: s(1, "nothing", "string", "string"),
  setVariable: s(2, "nothing", "string", "string"),
  getVariable: s(1, "string|nil", "string"),
  consoleLog: s(2, "nothing", "string", "string"),
  consoleLog2: s(5, "nothing", "string", "string", "string", "int", "string"),
  streamFile: s(1, "number", "string", "int"),
  sleep: s(1, "number", "int", "int"),
  set_tts_params: s(2, "nothing", "string", "string"),
  set_tts_parms: s(2, "nothing", "string", "string"),
  speak: s(1, "number", "string"),
  say: s(4, "nothing", "string", "string", "string", "string", "string"),
  sayPhrase: s(1, "nothing", "string", "string", "string"),
  recordFile: s(1, "number", "string", "int", "int", "int"),
  insertFile: s(3, "number", "string", "string", "int"),
  flushDigits: s(0, "number"),
  flushEvents: s(0, "number"),
  getDigits: s(3, "string", "int", "string", "int", "int", "int"),
  read: s(5, "string", "int", "int", "string", "int", "string", "int"),
  playAndGetDigits: s(8, "string", "int", "int", "int", "int", "string", "string", "string", "string", "string", "int", "string"),
  collectDigits: s(1, "number", "int", "int"),
  setInputCallback: l(1, "nothing", "string", "string"),
  unsetInputCallback: s(0, "nothing"),
  setHangupHook: l(1, "nothing", "string", "string"),
  setAutoHangup: s(1, "number", "bool"),
  destroy: l(0, "nothing", "string"),
  getXMLCDR: s(0, "string"),
  // Outbound legs: the Lua override takes exactly three arguments.
  originate: l(3, "number", "session", "string", "int"),
  waitForAnswer: s(1, "nothing", "session"),
};

/** Lua source for the SIGNATURES table the prelude checks calls against. */
export function signaturesLua(): string {
  const rows = Object.entries(HOST_SESSION_METHODS).map(
    ([name, sig]) =>
      `  ${name} = { class = "${sig.class}", min = ${sig.min}, max = ${sig.types.length}, returns = "${sig.returns}", types = { ${sig.types
        .map((t) => `"${t}"`)
        .join(", ")} } },`,
  );
  return `return {\n${rows.join("\n")}\n}\n`;
}
