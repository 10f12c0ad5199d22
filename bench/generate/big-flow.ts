// A large, realistic flow for the generator benchmark: chained sections, each a menu with
// input, logic, HTTP, time-of-day, bridge and record nodes that loop back to the menu.
import { loadFlow, type FlowGraph, type FlowGraphInput } from "../../flow";

type NodeIn = FlowGraphInput["nodes"][number];
type EdgeIn = NonNullable<FlowGraphInput["edges"]>[number];

/** Nodes per section, and the fixed head (start, pre-answer, answer, flush, sleep, phrase). */
export const SECTION_SIZE = 13;
export const HEAD_SIZE = 6;

/** A flow of exactly `HEAD_SIZE + SECTION_SIZE * sections` nodes. */
export function buildBigFlow(sections: number): FlowGraph {
  const nodes: NodeIn[] = [];
  const edges: EdgeIn[] = [];
  let row = 0;
  const node = (id: string, kind: string, label: string, params: Record<string, unknown>, col: number) =>
    nodes.push({ id, kind, label, params, position: { x: col * 280, y: row * 250 } });
  const edge = (source: string, outcome: string, target: string) =>
    edges.push({ id: `e_${source}_${outcome}`, source, outcome, target });

  const head = ["start", "pre_answer", "answer", "flush_digits", "sleep", "phrase"] as const;
  for (const kind of head) {
    const params = kind === "sleep" ? { ms: 500 } : kind === "phrase" ? { name: "ivr_welcome", data: "${caller_id_number}" } : {};
    node(kind, kind, kind.replace("_", " "), params, 0);
    row++;
  }
  for (let i = 0; i + 1 < head.length; i++) edge(head[i], "next", head[i + 1]);
  edge("phrase", "next", "menu_0");

  for (let s = 0; s < sections; s++) {
    const id = (name: string) => `${name}_${s}`;
    const next = `menu_${(s + 1) % sections}`;
    const prev = `menu_${Math.max(s - 1, 0)}`;
    node(id("menu"), "menu", `Menu ${s}`, {
      prompt: `prompts/section_${s}.wav`,
      invalidPrompt: "ivr/ivr-that_was_an_invalid_entry.wav",
      choices: [{ key: "1", label: "Account" }, { key: "2", label: "Lookup" }, { key: "3", label: "Next" }, { key: "9", label: "Back" }],
    }, 0);
    row++;
    node(id("intro"), "play", `Intro ${s}`, { file: "ivr/ivr-please_enter_pin_followed_by_pound.wav", interruptKeys: "#" }, -1);
    node(id("lookup_log"), "log", `Log ${s}`, { level: "info", message: `section ${s} lookup for \${caller_id_number}` }, 1);
    row++;
    node(id("read"), "read_digits", `Read ${s}`, { prompt: "ivr/ivr-please_enter_pin_followed_by_pound.wav", minDigits: 4, maxDigits: 4, regex: "^\\d{4}$", variable: "pin", sensitive: true }, -1);
    node(id("http"), "http_request", `CRM ${s}`, {
      url: `https://crm.example.com/api/sections/${s}/callers/\${caller_id_number}`,
      responseVariables: [{ name: "customer_tier", value: "customer.tier" }, { name: "balance", value: "account.balance" }],
    }, 1);
    row++;
    node(id("check"), "branch", `Check ${s}`, {
      variable: "pin",
      cases: [{ key: "ok", op: "equals", value: "1234" }, { key: "nines", op: "regex", value: "^9" }, { key: "big", op: "gt", value: "5000" }],
    }, -1);
    node(id("say_balance"), "say", `Balance ${s}`, { text: "${balance}", sayType: "CURRENCY", method: "PRONOUNCED" }, 1);
    node(id("hours"), "time_of_day", `Hours ${s}`, {
      timezone: "America/New_York",
      hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" }],
      holidays: [{ date: "12-25", name: "Christmas" }],
    }, 2);
    row++;
    node(id("count"), "set_variable", `Count ${s}`, { name: "visits", mode: "increment", value: "1" }, -1);
    node(id("agent"), "bridge", `Agent ${s}`, { dialString: `user/${1000 + s}`, timeoutSec: 20 }, 2);
    row++;
    node(id("thanks"), "speak", `Thanks ${s}`, { text: `Thank you, section ${s} visit \${visits}.` }, -1);
    node(id("voicemail"), "record", `Voicemail ${s}`, { path: `/tmp/ivr-recordings/${s}-\${uuid}.wav`, maxSeconds: 60 }, 2);
    row++;
    node(id("bye"), "hangup", `Bye ${s}`, { cause: "NORMAL_CLEARING" }, 1);
    row++;

    edge(id("menu"), "1", id("intro"));
    edge(id("menu"), "2", id("lookup_log"));
    edge(id("menu"), "3", next);
    edge(id("menu"), "9", prev);
    edge(id("menu"), "failed", id("bye"));
    edge(id("intro"), "next", id("read"));
    edge(id("read"), "next", id("check"));
    edge(id("read"), "failed", id("menu"));
    edge(id("check"), "ok", id("count"));
    edge(id("check"), "nines", id("lookup_log"));
    edge(id("check"), "big", id("hours"));
    edge(id("check"), "default", id("menu"));
    edge(id("count"), "next", id("thanks"));
    edge(id("thanks"), "next", id("menu"));
    edge(id("lookup_log"), "next", id("http"));
    edge(id("http"), "success", id("say_balance"));
    edge(id("http"), "failure", id("hours"));
    edge(id("say_balance"), "next", id("menu"));
    edge(id("hours"), "open", id("agent"));
    edge(id("hours"), "closed", id("voicemail"));
    edge(id("hours"), "holiday", id("bye"));
    edge(id("agent"), "answered", id("bye"));
    edge(id("agent"), "busy", id("menu"));
    edge(id("agent"), "no_answer", id("voicemail"));
    edge(id("agent"), "failed", id("menu"));
    edge(id("voicemail"), "next", id("bye"));
  }
  return loadFlow({
    schemaVersion: 1,
    name: `Benchmark (${nodes.length} nodes)`,
    description: "Generated by bench/generate/big-flow.ts",
    nodes,
    edges,
  });
}
