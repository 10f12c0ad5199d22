// Run a flow's generated script in either language against a FakeSession.
import { generate, type GenerateOptions } from "../../../generators";
import type { FlowGraph } from "../../../flow";
import { FakeSession, type FakeOptions } from "./fake-session";
import { runLua } from "./run-lua";
import { runTs } from "./run-ts";

export type Runner = "lua5.2" | "lua5.3" | "lua5.4" | "ts";

export interface FlowRun {
  fake: FakeSession;
  done: boolean;
  error?: string;
  /** ivr_node values in the order the nodes ran. */
  trail: string[];
}

export async function runFlow(flow: FlowGraph, runner: Runner, opts: FakeOptions = {}, gen: GenerateOptions = {}): Promise<FlowRun> {
  const fake = new FakeSession(opts);
  const lang = runner === "ts" ? "ts" : "lua";
  const { code } = generate(flow, lang, gen);
  const r = runner === "ts" ? await runTs(code, fake) : await runLua(code, fake, runner);
  const trail = fake.calls
    .filter((c) => c.method === "setVariable" && c.args[0] === "ivr_node")
    .map((c) => String(c.args[1]));
  return { fake, done: r.done, error: r.error, trail };
}
