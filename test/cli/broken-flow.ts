// A flow with errors (a connection to a missing node, min > max digits) and warnings
// (an unconnected menu choice, an unreachable node).
export const BROKEN_FLOW = {
  schemaVersion: 1,
  name: "Broken",
  nodes: [
    { id: "start", kind: "start", label: "Start", params: {} },
    {
      id: "ask_account",
      kind: "menu",
      label: "Ask",
      params: { prompt: "ivr/ivr-welcome.wav", choices: [{ key: "1" }, { key: "2" }] },
    },
    { id: "read_pin", kind: "read_digits", label: "PIN", params: { prompt: "ivr/x.wav", minDigits: 6, maxDigits: 4 } },
    { id: "bye", kind: "hangup", label: "Bye", params: {} },
    { id: "orphan", kind: "hangup", label: "Orphan", params: {} },
  ],
  edges: [
    { source: "start", outcome: "next", target: "ask_account" },
    { source: "ask_account", outcome: "1", target: "nowhere" },
    { source: "ask_account", outcome: "failed", target: "read_pin" },
    { source: "read_pin", outcome: "next", target: "bye" },
    { source: "read_pin", outcome: "failed", target: "bye" },
  ],
};
