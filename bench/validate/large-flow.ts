// A large, clean flow for the validator's speed check: `blocks` repeated sections of
// menu → read digits → http → branch → set variable → log, chained and looping back through menus.
import { loadFlow, type FlowGraph } from "../../flow";

export function largeFlow(blocks: number): FlowGraph {
  const nodes: Array<{ id: string; kind: string; label?: string; params?: Record<string, unknown> }> = [
    { id: "start", kind: "start" },
    { id: "bye", kind: "hangup" },
  ];
  const edges: Array<{ source: string; outcome: string; target: string }> = [];
  const link = (source: string, outcome: string, target: string) => edges.push({ source, outcome, target });
  link("start", "next", "m0");
  for (let b = 0; b < blocks; b++) {
    const id = (s: string) => `${s}${b}`;
    const nextMenu = b + 1 < blocks ? `m${b + 1}` : "bye";
    nodes.push(
      {
        id: id("m"),
        kind: "menu",
        label: `Menu ${b}`,
        params: { prompt: `ivr/menu${b}.wav`, maxDigits: 2, choices: [{ key: "1" }, { key: "2" }, { key: "[3-5]" }, { key: "9\\d" }] },
      },
      { id: id("r"), kind: "read_digits", params: { prompt: "ivr/pin.wav", regex: "\\d{4}", minDigits: 4, maxDigits: 4, variable: `pin${b}` } },
      { id: id("h"), kind: "http_request", params: { url: `https://api.example.com/v1/${b}/\${pin${b}}`, responseVariables: [{ name: `tier${b}`, value: "tier" }] } },
      {
        id: id("b"),
        kind: "branch",
        params: { variable: `tier${b}`, cases: [{ key: "gold", value: "gold" }, { key: "big", op: "gt", value: "5" }, { key: "re", op: "regex", value: "^v[0-9]+$" }] },
      },
      { id: id("s"), kind: "set_variable", params: { name: `seen${b}`, value: "1" } },
      { id: id("l"), kind: "log", params: { message: `block ${b}` } },
      { id: id("t"), kind: "time_of_day", params: { timezone: "Europe/Paris" } },
    );
    link(id("m"), "1", id("r"));
    link(id("m"), "2", id("h"));
    link(id("m"), "[3-5]", id("t"));
    link(id("m"), "9\\d", nextMenu);
    link(id("m"), "failed", "bye");
    link(id("r"), "next", id("h"));
    link(id("r"), "failed", id("m")); // loop back through the menu (it waits for the caller)
    link(id("h"), "success", id("b"));
    link(id("h"), "failure", id("l"));
    link(id("b"), "gold", id("s"));
    link(id("b"), "big", id("s"));
    link(id("b"), "re", id("l"));
    link(id("b"), "default", nextMenu);
    link(id("s"), "next", id("l"));
    link(id("l"), "next", id("m"));
    link(id("t"), "open", nextMenu);
    link(id("t"), "closed", "bye");
    link(id("t"), "holiday", "bye");
  }
  return loadFlow({ schemaVersion: 1, name: "large", nodes, edges });
}
