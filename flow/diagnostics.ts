// Diagnostic codes: one stable code per rule, so the designer, the CLI and the docs
// can refer to a rule without matching message text.
export const DIAGNOSTIC_CODES = {
  UNKNOWN_KIND: "IVR1001",
  BAD_PARAM: "IVR1002",
  NO_START: "IVR1003",
  MANY_STARTS: "IVR1004",
  OUTCOME_NOT_CONNECTED: "IVR1005",
  UNKNOWN_OUTCOME: "IVR1006",
  OUTCOME_CONNECTED_TWICE: "IVR1007",
  UNREACHABLE: "IVR1008",
  SPIN_CYCLE: "IVR1009",
  NON_PORTABLE_REGEX: "IVR1010",
  BAD_VARIABLE_NAME: "IVR1011",
  EMPTY_TARGET: "IVR1012",
  CUSTOM_CODE_NOT_ADMIN: "IVR1013",
  DUPLICATE_NODE_ID: "IVR1014",
  DUPLICATE_KEY: "IVR1015",
  INCONSISTENT_PARAMS: "IVR1016",
  UNKNOWN_TARGET: "IVR1017",
  BAD_TIMEZONE: "IVR1018",
  HOST_NOT_ALLOWED: "IVR1019",
  EMPTY_REQUIRED: "IVR1020",
  FILE_OUTSIDE_ROOT: "IVR1021",
  UNKNOWN_PROMPT: "IVR1030",
  UNKNOWN_DESTINATION: "IVR1031",
  UNKNOWN_PHRASE: "IVR1032",
  TEST_CASE_PROBLEM: "IVR1033",
  BAD_DOCUMENT: "IVR1000",
} as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[keyof typeof DIAGNOSTIC_CODES];
export type Severity = "error" | "warning";

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** A sentence a flow author understands. */
  message: string;
  nodeId?: string;
  /** Parameter path inside the node's params (e.g. "choices.1.key"). */
  param?: string;
  /** Outcome key (the canvas handle id) the diagnostic is about. */
  outcome?: string;
}

export interface ValidateOptions {
  /** Whether the flow's author (or publisher) is an admin: Custom code needs it. Default false. */
  authorIsAdmin?: boolean;
  /** Hosts an HTTP request node may call (exact host or *.suffix). Undefined: not checked. */
  httpAllowList?: readonly string[];
  /**
   * Whether a prompt file (as a flow plays it, e.g. "ivr/ivr-welcome.wav") exists where the flow
   * will run: the prompt library, the sounds folder. Undefined: not checked (the designer's own
   * validation; the server's validate and publish pass it).
   */
  knownPrompt?: (path: string) => boolean;
  /**
   * The gateways and local SIP users configured where the flow runs: a Bridge dial string naming
   * another one is a warning (IVR1031). Undefined: not checked.
   */
  destinations?: { gateways: readonly string[]; users: readonly string[] };
  /** Whether the phrase library has a macro (name, language as the call resolves it). Undefined: not checked. */
  knownPhrase?: (name: string, language: string) => boolean;
}

export const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === "error");
