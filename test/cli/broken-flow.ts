// A flow with graph errors: choice 2 of the menu leads nowhere and a node is unreachable.
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
    { id: "bye", kind: "hangup", label: "Bye", params: {} },
    { id: "orphan", kind: "hangup", label: "Orphan", params: {} },
  ],
  edges: [
    { source: "start", outcome: "next", target: "ask_account" },
    { source: "ask_account", outcome: "1", target: "bye" },
    { source: "ask_account", outcome: "failed", target: "bye" },
  ],
};
