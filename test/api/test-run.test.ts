// Running a flow's test cases from the API (in a child process: `ivr test --json`), the flow
// setting "publishing requires passing test cases", and the simulator's WebSocket protocol (a
// real socket, the call in its child process; the browser side is test/e2e/simulator.test.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { Database } from "../../app/lib/server/db/client";
import * as flows from "../../app/api/flows/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as testRun from "../../app/api/flows/[id]/test-run/route";
import * as userById from "../../app/api/users/[id]/route";
import { attachSimulator } from "../../app/lib/server/simulator/ws";
import { slotsInUse } from "../../app/lib/server/testing/slots";
import { wavHeader } from "../../runtime/media/wav";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
let editor: Caller;
let viewer: Caller;
beforeAll(async () => {
  db = await startTestDatabase();
  editor = await makeUser(db, "editor", "Eve Editor");
  viewer = await makeUser(db, "viewer", "Vic Viewer");
});
afterAll(stopTestDatabase);

const p = (id: string) => ({ id });
const run = (id: string, as: Caller, body: Record<string, unknown> = {}) => call(testRun.POST, "POST", `/api/flows/${id}/test-run`, { as, params: p(id), body });
// publishAnyway: this server has none of the template's prompts (IVR1030); the cases are what is tested here.
const doPublish = (id: string, as: Caller) => call(publish.POST, "POST", `/api/flows/${id}/publish`, { as, params: p(id), body: { publishAnyway: true } });
const save = (id: string, graph: unknown, baseRevision: number) => call(flowById.PUT, "PUT", `/api/flows/${id}`, { as: editor, params: p(id), body: { graph, baseRevision } });

async function newFlow(name: string, template: string) {
  const r = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name, template } });
  expect(r.status).toBe(201);
  return r.body.flow as { id: string; revision: number; graph: any };
}

/** The example's cases with the busy one expecting the wrong branch. */
function withWrongBusyCase(graph: any) {
  const tests = graph.tests.map((t: any) =>
    t.name.startsWith("the extension is busy") ? { ...t, name: "busy goes to the operator", expect: { path: ["start", "answer", "reset_attempts", "ask_extension", "connecting", "dial_extension", "no_answer_message"] } } : t,
  );
  return { ...graph, tests };
}

describe("POST /api/flows/:id/test-run", () => {
  let flow: Awaited<ReturnType<typeof newFlow>>;

  it("runs every case in Lua and TS out of process; bridge stubs steer the bridge's branches; one run per user at a time when capped", async () => {
    flow = await newFlow("Dial by extension", "dial-by-extension");
    expect((await run(flow.id, viewer)).status).toBe(403);
    process.env.IVR_SANDBOX_RUNS_PER_USER = "1";
    try {
      const [a, b] = await Promise.all([run(flow.id, editor), run(flow.id, editor)]);
      const [ok, refused] = a.status === 200 ? [a, b] : [b, a];
      expect(refused.status).toBe(429);
      expect(refused.body.message).toMatch(/at most 1/);
      expect(ok.status).toBe(200);
      const cases = flow.graph.tests.length;
      expect(ok.body).toMatchObject({ passed: cases * 2, failed: 0 });
      const busy = ok.body.results.find((r: any) => r.language === "lua" && r.name.startsWith("the extension is busy"));
      expect(busy.path).toContain("busy_message");
      expect(busy.variables).toMatchObject({ DIALSTATUS: "SUCCESS", extension: "1004" });
    } finally {
      delete process.env.IVR_SANDBOX_RUNS_PER_USER;
    }
    expect(slotsInUse().total).toBe(0);
  }, 60_000);

  it("names the first divergence and the node it happened at; unsaved edits (graph) and one case / one language", async () => {
    const graph = withWrongBusyCase(flow.graph);
    const r = await run(flow.id, editor, { graph, case: "busy goes to the operator", lang: "ts" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ passed: 0, failed: 1 });
    expect(r.body.results).toHaveLength(1);
    expect(r.body.results[0]).toMatchObject({
      name: "busy goes to the operator",
      language: "ts",
      passed: false,
      failure: 'expected node no_answer_message, got node busy_message after digits "1002"',
      failedNode: "busy_message",
    });
    expect((await run(flow.id, editor, { case: "nope" })).body.message).toMatch(/no test case named "nope"/);
    expect((await run(flow.id, editor, { lang: "python" })).status).toBe(400);
  }, 60_000);
});

describe("publishing requires passing test cases", () => {
  it("refuses with the failing cases listed, then publishes once they pass", async () => {
    const flow = await newFlow("Gated", "dial-by-extension");
    const gated = { ...withWrongBusyCase(flow.graph), settings: { ...flow.graph.settings, requirePassingTests: true } };
    const saved = await save(flow.id, gated, flow.revision);
    expect(saved.status).toBe(200);
    const refused = await doPublish(flow.id, editor);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^Publishing requires passing test cases; 2 of \d+ failed: \[lua\] busy goes to the operator: expected node no_answer_message/);
    expect(refused.body.failing).toEqual([
      { name: "busy goes to the operator", language: "lua", failure: expect.stringContaining("got node busy_message"), failedNode: "busy_message" },
      { name: "busy goes to the operator", language: "ts", failure: expect.stringContaining("got node busy_message"), failedNode: "busy_message" },
    ]);

    const fixed = { ...gated, tests: flow.graph.tests };
    expect((await save(flow.id, fixed, saved.body.flow.revision)).status).toBe(200);
    const ok = await doPublish(flow.id, editor);
    expect(ok.status).toBe(201);
    expect(ok.body.version.number).toBe(1);
  }, 60_000);

  it("a flow with the setting and no cases is refused without running anything", async () => {
    const flow = await newFlow("No cases", "dial-by-extension");
    const graph = { ...flow.graph, tests: undefined, settings: { ...flow.graph.settings, requirePassingTests: true } };
    expect((await save(flow.id, graph, flow.revision)).status).toBe(200);
    const r = await doPublish(flow.id, editor);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/requires passing test cases, and it has none/);
  });
});

describe("the simulator's WebSocket (/api/simulator)", () => {
  let server: Server;
  let base = "";
  let flowId = "";
  const PROMPT_MS = 500;

  beforeAll(async () => {
    // The first prompt of the flow, as a real file under the media folder: its audio must arrive.
    const tone = new Int16Array((8000 * PROMPT_MS) / 1000).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
    const file = path.join(process.env.IVR_MEDIA_DIR!, "ivr", "ivr-please_enter_extension_followed_by_pound.wav");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.concat([wavHeader(8000, tone.byteLength), Buffer.from(tone.buffer)]));
    server = createServer((_req, res) => res.end());
    attachSimulator(server, { log: () => undefined });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `ws://localhost:${(server.address() as AddressInfo).port}/api/simulator`;
    flowId = (await newFlow("Simulated", "dial-by-extension")).id;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** The HTTP status a refused handshake gets. */
  const refusedWith = (headers: Record<string, string>, url = `${base}?flow=${flowId}`) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => reject(new Error("the handshake was accepted")));
      ws.on("error", () => undefined);
    });

  it("refuses a handshake without the designer's Origin, without a session, or from a viewer", async () => {
    const origin = `http://localhost:${new URL(base).port}`;
    expect(await refusedWith({ cookie: editor.cookie })).toBe(403);
    expect(await refusedWith({ cookie: editor.cookie, origin: "https://evil.example" })).toBe(403);
    expect(await refusedWith({ origin })).toBe(401);
    expect(await refusedWith({ cookie: viewer.cookie, origin })).toBe(403);
  });

  it("runs the draft: node events, the prompt's audio, dial-pad digits steer the flow, each Session method reported; a call past the cap is refused; dials ask what the far end does (busy, then answered: a tone while bridged, until the party hangs up)", async () => {
    const origin = `http://localhost:${new URL(base).port}`;
    const ws = new WebSocket(`${base}?flow=${flowId}`, { headers: { cookie: editor.cookie, origin } });
    const events: any[] = [];
    let audioBytes = 0;
    const waiters: Array<() => void> = [];
    ws.on("message", (data, isBinary) => {
      if (isBinary) audioBytes += (data as Buffer).length;
      else events.push(JSON.parse(String(data)));
      for (const w of waiters.splice(0)) w();
    });
    const closed = new Promise<void>((r) => ws.on("close", () => r()));
    const until = async (what: () => boolean, label: string) => {
      const deadline = Date.now() + 30_000;
      while (!what()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}: ${JSON.stringify(events.slice(-5))}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    };
    await new Promise<void>((r) => ws.on("open", () => r()));
    ws.send(JSON.stringify({ type: "start", language: "ts", clock: { at: "2026-12-07T15:00:00Z", zone: "America/New_York" } }));
    const nodes = () => events.filter((e) => e.type === "node").map((e) => e.node);
    await until(() => nodes().includes("ask_extension"), "ask_extension");
    expect(nodes()).toEqual(["start", "answer", "reset_attempts", "ask_extension"]);
    // The prompt plays out in real time: all of its samples arrive, as 16-bit PCM.
    await until(() => audioBytes >= (8000 * PROMPT_MS * 2) / 1000, "the prompt's audio");
    expect(audioBytes).toBe((8000 * PROMPT_MS * 2) / 1000);
    // A second call while this one runs: past the user's cap, the socket says why and closes (1013).
    process.env.IVR_SANDBOX_RUNS_PER_USER = "1";
    try {
      const second = new WebSocket(`${base}?flow=${flowId}`, { headers: { cookie: editor.cookie, origin } });
      const said: string[] = [];
      second.on("message", (d) => said.push(String(d)));
      const code = await new Promise<number>((r) => second.on("close", (c) => r(c)));
      expect(code).toBe(1013);
      expect(JSON.parse(said[0])).toMatchObject({ type: "error", message: expect.stringMatching(/at most 1/) });
    } finally {
      delete process.env.IVR_SANDBOX_RUNS_PER_USER;
    }
    // A dial asks what the far end does (the default); it rings until the answer.
    const dials = () => events.filter((e) => e.type === "dial");
    for (const d of "1001") ws.send(JSON.stringify({ type: "dtmf", digit: d }));
    await until(() => dials().some((e) => e.state === "asking"), "the first dial's question");
    const first = dials().find((e) => e.state === "asking");
    expect(first).toMatchObject({ to: "1001", id: 1 });
    expect(nodes().slice(4)).toEqual(["connecting", "dial_extension"]);
    ws.send(JSON.stringify({ type: "dial", id: first.id, outcome: "busy" }));
    // Busy: the flow's busy branch, then it asks for an extension again.
    await until(() => nodes().filter((n) => n === "ask_extension").length === 2, "ask_extension again");
    expect(nodes().slice(4)).toEqual(["connecting", "dial_extension", "busy_message", "ask_extension"]);
    expect(dials()).toContainEqual({ type: "dial", id: 1, to: "1001", state: "outcome", outcome: "busy", chosenBy: "you" });
    const methods = events.filter((e) => e.type === "method");
    expect(methods.find((m) => m.method === "answer")).toMatchObject({ node: "answer", args: [] });
    expect(methods.find((m) => m.result === "1001")).toMatchObject({ node: "ask_extension" });
    expect(methods.find((m) => m.method === "execute" && m.args[0] === "bridge")).toMatchObject({ args: ["bridge", "user/${extension}"] }); // as the script passed it
    // The second dial is answered: the caller is bridged and hears the party (a tone), until hanging up.
    for (const d of "1002") ws.send(JSON.stringify({ type: "dtmf", digit: d }));
    await until(() => dials().some((e) => e.state === "asking" && e.id === 2), "the second dial's question");
    const heardBefore = audioBytes;
    ws.send(JSON.stringify({ type: "dial", id: 2, outcome: "answer" }));
    await until(() => dials().some((e) => e.state === "bridged"), "the bridge");
    expect(dials().find((e) => e.state === "bridged")).toMatchObject({ id: 2, to: "1002" });
    await until(() => audioBytes - heardBefore >= 1600, "the answered party's tone");
    // The party hangs up (the panel's button): the flow goes on through the bridge's Answered branch.
    ws.send(JSON.stringify({ type: "farHangup", id: 2 }));
    await until(() => events.some((e) => e.type === "end"), "the end");
    expect(dials().at(-1)).toMatchObject({ id: 2, state: "unbridged" });
    expect(nodes().slice(-3)).toEqual(["connecting", "dial_extension", "call_done"]);
    expect(events.find((e) => e.type === "end")).toMatchObject({ hangupCause: "NORMAL_CLEARING", hungUpBy: "flow" });
    await closed;
    await until(() => slotsInUse().total === 0, "the slot to be released");
  }, 60_000);

  it("an editor disabled by an admin mid-call loses the call at once (the socket closes, the slot is released)", async () => {
    const origin = `http://localhost:${new URL(base).port}`;
    const admin = await makeUser(db, "admin", "Ada Admin");
    const other = await makeUser(db, "editor", "Otto Editor");
    const ws = new WebSocket(`${base}?flow=${flowId}`, { headers: { cookie: other.cookie, origin } });
    const events: any[] = [];
    ws.on("message", (data, isBinary) => !isBinary && events.push(JSON.parse(String(data))));
    const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
    await new Promise<void>((r) => ws.on("open", () => r()));
    ws.send(JSON.stringify({ type: "start", language: "lua", clock: { at: "2026-12-07T15:00:00Z", zone: "America/New_York" } }));
    const deadline = Date.now() + 30_000;
    while (!events.some((e) => e.type === "started") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(events.some((e) => e.type === "started")).toBe(true);
    const r = await call(userById.PATCH, "PATCH", `/api/users/${other.user.id}`, { as: admin, params: p(other.user.id), body: { disabled: true } });
    expect(r.status).toBe(200);
    expect(await closed).toBe(1008);
    expect(events.find((e) => e.type === "error")?.message).toMatch(/access .* changed/);
    while (slotsInUse().total !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(slotsInUse().total).toBe(0);
  }, 60_000);
});
