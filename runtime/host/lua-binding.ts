// The session methods the runtime's Lua host offers, with the binding's argument
// counts and types (mod_lua_wrap.cpp). The generator's table (generators/lua/binding.ts)
// must be a subset of this one: test/host checks it.

export type HostArgType = "int" | "string" | "bool" | "any";

export interface HostSignature {
  class: "CoreSession" | "Session";
  types: HostArgType[];
  /** Explicit arguments required (not counting self). */
  min: number;
}

const s = (min: number, ...types: HostArgType[]): HostSignature => ({ class: "CoreSession", types, min });
const l = (min: number, ...types: HostArgType[]): HostSignature => ({ class: "Session", types, min });

export const HOST_SESSION_METHODS: Readonly<Record<string, HostSignature>> = {
  answer: s(0),
  preAnswer: s(0),
  answered: s(0),
  ready: l(0),
  mediaReady: s(0),
  bridged: s(0),
  hangup: s(0, "string"),
  hangupCause: s(0),
  hangupState: s(0),
  getState: s(0),
  get_uuid: s(0),
  transfer: s(1, "string", "string", "string"),
  execute: s(1, "string", "string"),
  setVariable: s(2, "string", "string"),
  getVariable: s(1, "string"),
  consoleLog: s(2, "string", "string"),
  consoleLog2: s(5, "string", "string", "string", "int", "string"),
  streamFile: s(1, "string", "int"),
  sleep: s(1, "int", "int"),
  set_tts_params: s(2, "string", "string"),
  set_tts_parms: s(2, "string", "string"),
  speak: s(1, "string"),
  say: s(4, "string", "string", "string", "string", "string"),
  sayPhrase: s(1, "string", "string", "string"),
  recordFile: s(1, "string", "int", "int", "int"),
  flushDigits: s(0),
  flushEvents: s(0),
  getDigits: s(3, "int", "string", "int", "int", "int"),
  read: s(5, "int", "int", "string", "int", "string", "int"),
  playAndGetDigits: s(8, "int", "int", "int", "int", "string", "string", "string", "string", "string", "int", "string"),
  collectDigits: s(1, "int", "int"),
  setInputCallback: l(1, "string", "string"),
  unsetInputCallback: s(0),
  setHangupHook: l(1, "string", "string"),
  setAutoHangup: s(1, "bool"),
  destroy: l(0, "string"),
  getXMLCDR: s(0),
};

/** Lua source for the SIGNATURES table the prelude checks calls against. */
export function signaturesLua(): string {
  const rows = Object.entries(HOST_SESSION_METHODS).map(
    ([name, sig]) =>
      `  ${name} = { class = "${sig.class}", min = ${sig.min}, max = ${sig.types.length}, types = { ${sig.types
        .map((t) => `"${t}"`)
        .join(", ")} } },`,
  );
  return `return {\n${rows.join("\n")}\n}\n`;
}
