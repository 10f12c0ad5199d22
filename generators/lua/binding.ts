// The FreeSWITCH mod_lua surface that generated Lua may call, with the binding's exact
// argument counts and types (mod_lua_wrap.cpp SWIG_check_num_args; see
// shared/reference/freeswitch-session-api.md). This is the one list:
// - the Lua printer checks every emitted call against it;
// - the strict test stand-in of the binding is built from it;
// - the runtime's Lua host must implement exactly this surface (and may offer more).

/** SWIG argument types: "int" accepts numbers or numeric strings; "string" accepts a string or nil. */
export type ArgType = "int" | "string" | "any";

export interface MethodSignature {
  /** Explicit Lua arguments (not counting self), in order; `optional` from the first optional one. */
  args: ReadonlyArray<{ name: string; type: ArgType; optional?: boolean }>;
  /** What the binding returns to Lua. */
  returns: "number" | "boolean" | "string" | "string|nil" | "nothing";
}

const a = (name: string, type: ArgType, optional = false) => ({ name, type, optional });

/** session:<method>(...) — the methods generated code uses. */
export const SESSION_METHODS: Readonly<Record<string, MethodSignature>> = {
  answer: { args: [], returns: "number" },
  preAnswer: { args: [], returns: "number" },
  answered: { args: [], returns: "boolean" },
  ready: { args: [], returns: "boolean" },
  mediaReady: { args: [], returns: "boolean" },
  bridged: { args: [], returns: "boolean" },
  hangup: { args: [a("cause", "string", true)], returns: "nothing" },
  hangupCause: { args: [], returns: "string" },
  getState: { args: [], returns: "string" },
  get_uuid: { args: [], returns: "string" },
  transfer: { args: [a("extension", "string"), a("dialplan", "string", true), a("context", "string", true)], returns: "number" },
  execute: { args: [a("app", "string"), a("data", "string", true)], returns: "nothing" },
  setVariable: { args: [a("name", "string"), a("value", "string")], returns: "nothing" },
  getVariable: { args: [a("name", "string")], returns: "string|nil" },
  consoleLog: { args: [a("level", "string"), a("msg", "string")], returns: "nothing" },
  streamFile: { args: [a("file", "string"), a("start_sample", "int", true)], returns: "number" },
  sleep: { args: [a("ms", "int"), a("sync", "int", true)], returns: "number" },
  set_tts_params: { args: [a("engine", "string"), a("voice", "string")], returns: "nothing" },
  speak: { args: [a("text", "string")], returns: "number" },
  say: {
    args: [a("text", "string"), a("module", "string"), a("type", "string"), a("method", "string"), a("gender", "string", true)],
    returns: "nothing",
  },
  sayPhrase: { args: [a("name", "string"), a("data", "string", true), a("lang", "string", true)], returns: "nothing" },
  insertFile: { args: [a("file", "string"), a("insert_file", "string"), a("sample_point", "int")], returns: "number" },
  recordFile: {
    args: [a("file", "string"), a("max_len_secs", "int", true), a("silence_threshold", "int", true), a("silence_secs", "int", true)],
    returns: "number",
  },
  flushDigits: { args: [], returns: "number" },
  flushEvents: { args: [], returns: "number" },
  getDigits: {
    args: [a("max_digits", "int"), a("terminators", "string"), a("timeout", "int"), a("interdigit", "int", true), a("abstimeout", "int", true)],
    returns: "string",
  },
  read: {
    args: [a("min_digits", "int"), a("max_digits", "int"), a("prompt_file", "string"), a("timeout", "int"), a("terminators", "string"), a("digit_timeout", "int", true)],
    returns: "string",
  },
  playAndGetDigits: {
    args: [
      a("min_digits", "int"), a("max_digits", "int"), a("max_tries", "int"), a("timeout", "int"), a("terminators", "string"),
      a("audio_files", "string"), a("bad_input_audio_files", "string"), a("digits_regex", "string"),
      a("var_name", "string", true), a("digit_timeout", "int", true), a("transfer_on_failure", "string", true),
    ],
    returns: "string",
  },
  setInputCallback: { args: [a("function_name", "string"), a("arg_global_name", "string", true)], returns: "nothing" },
  unsetInputCallback: { args: [], returns: "nothing" },
  setHangupHook: { args: [a("function_name", "string"), a("arg_global_name", "string", true)], returns: "nothing" },
};

/** freeswitch.* functions generated code uses. */
export const FREESWITCH_FUNCTIONS: Readonly<Record<string, MethodSignature>> = {
  consoleLog: { args: [a("level", "string"), a("msg", "string")], returns: "nothing" },
};

/**
 * freeswitch.API():execute(command, args) commands generated code uses, and why:
 * regex (Branch / Menu pattern tests, PCRE), strftime_tz (Time of day in an IANA zone),
 * curl (HTTP request, mod_curl). freeswitch.JSON():decode reads the curl "json" output.
 */
export const API_COMMANDS = ["regex", "strftime_tz", "curl"] as const;
export type ApiCommand = (typeof API_COMMANDS)[number];

/** FreeSWITCH modules every generated script needs; node kinds add theirs (catalog `modules`). */
export const MODULES_ALWAYS = ["mod_lua", "mod_commands", "mod_dptools"] as const;

/** Returns an error message when a call does not fit the binding, else undefined. */
export function checkArity(
  table: Readonly<Record<string, MethodSignature>>,
  method: string,
  argCount: number,
): string | undefined {
  const sig = table[method];
  if (!sig) return `${method} is not in the allowed FreeSWITCH surface`;
  const min = sig.args.filter((x) => !x.optional).length;
  const max = sig.args.length;
  if (argCount < min || argCount > max) {
    return `${method} takes ${min === max ? min : `${min}-${max}`} argument(s), got ${argCount}`;
  }
  return undefined;
}
