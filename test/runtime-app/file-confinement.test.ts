// Issue 11 §2 in `npm start`: an editor cannot make the runtime write or read a file outside the
// named folders. A Record path "/tmp/x/PWNED.wav" is an IVR1021 error in the validator and the
// publish is refused; a flow that passes the validator and tries at run time (paths taken from
// an HTTP response, which no validator can see; an admin's custom code calling
// streamFile("/etc/passwd") and recordFile on an absolute path) gets the methods' failure values
// over a real SIPp call, and nothing is written.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as setup from "../../app/api/auth/setup/route";
import * as calls from "../../app/api/calls/route";
import * as callById from "../../app/api/calls/[id]/route";
import * as flows from "../../app/api/flows/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as validateRoute from "../../app/api/flows/[id]/validate/route";
import * as routes from "../../app/api/routes/route";
import type { Database } from "../../app/lib/server/db/client";
import type { RuntimeHandle } from "../../app/lib/server/runtime";
import { setHttpAllowList } from "../../app/lib/server/settings";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "../api/helpers";
import { hasSipp, runSipp } from "../sip/sipp-harness";
import { loadBundledRuntime, mediaWithPrompts, waitFor } from "./support";

let db: Database;
let runtime: RuntimeHandle;
let admin: Caller;
let editor: Caller;
let http: Server;
let httpBase = "";
const lines: string[] = [];
const media = mediaWithPrompts();
const base = mkdtempSync(path.join(os.tmpdir(), "ivr-rtapp-files-"));
const cacheDir = path.join(base, "cache");
const recordings = path.join(base, "recordings");
/** Where an escape would land: must stay empty. */
const outside = path.join(base, "outside");
const explain = () => lines.join("\n");

beforeAll(async () => {
  // The "CRM" an editor's flow asks where to play and record: it answers with paths outside the folders.
  http = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ play: "/etc/passwd", record: path.join(outside, "http.wav"), dots: "../../../../../etc/passwd" }));
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  httpBase = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  db = await startTestDatabase();
  await setHttpAllowList(db.prisma, ["127.0.0.1"]);
  process.env.IVR_MEDIA_DIR = media;
  process.env.IVR_RECORDINGS_DIR = recordings;
  process.env.IVR_STARTER_SOUNDS = "0";
  process.env.IVR_SIP = "127.0.0.1:0";
  process.env.IVR_RTP_PORTS = "61200-61249";
  delete process.env.IVR_SIP_ALLOW;
  const mod = await loadBundledRuntime();
  runtime = await mod.startRuntime({ prisma: db.prisma, cacheDir, log: (l) => lines.push(l), pollMs: 150 });
  const r = await call(setup.POST, "POST", "/api/auth/setup", {
    body: { email: "ada@example.com", name: "Ada", password: "correct horse battery" },
    peer: "127.0.0.1",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  admin = { user: r.body.user, cookie: (r.headers.get("set-cookie") ?? "").split(";")[0] };
  editor = await makeUser(db, "editor", "Eve Editor");
}, 60_000);

afterAll(async () => {
  await runtime?.stop(1000);
  await stopTestDatabase();
  await new Promise((r) => http?.close(r));
  rmSync(media, { recursive: true, force: true });
  rmSync(base, { recursive: true, force: true });
  for (const k of ["IVR_MEDIA_DIR", "IVR_RECORDINGS_DIR", "IVR_STARTER_SOUNDS", "IVR_SIP", "IVR_RTP_PORTS"]) delete process.env[k];
}, 20_000);

type Node = { id: string; kind: string; params?: Record<string, unknown>; exit?: string };
/** A straight line of nodes (each one's `next`, or `exit`, to the following one). */
function graph(name: string, nodes: Node[]) {
  return {
    schemaVersion: 1,
    name,
    settings: { hangupHook: "none" },
    nodes: nodes.map(({ exit: _e, ...n }, i) => ({ label: "", params: {}, position: { x: 0, y: 120 * i }, ...n })),
    edges: nodes.slice(0, -1).map((n, i) => ({ source: n.id, outcome: n.exit ?? "next", target: nodes[i + 1].id })),
  };
}
const record = (id: string, p: string) => ({ id, kind: "record", params: { path: p, maxSeconds: 1, beep: false, stopKeys: "", silenceThreshold: 0 } });

async function create(as: Caller, name: string, nodes: Node[]): Promise<string> {
  const r = await call(flows.POST, "POST", "/api/flows", { as, body: { name, graph: graph(name, nodes) } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.flow.id;
}

async function route(pattern: string, flowId: string, routeCount: number): Promise<void> {
  const r = await call(routes.POST, "POST", "/api/routes", { as: admin, body: { pattern, flowId } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  await waitFor(`route ${pattern} to be served`, () => runtime.routeCount === routeCount, 5000, explain);
}

/** Call `number` with SIPp (the IVR hangs up), then the call's events from GET /api/calls/:id. */
async function callThrough(number: string): Promise<Array<{ node: string; method: string; args: unknown[]; result: unknown }>> {
  const r = await runSipp("lua-wait-bye", runtime.sipPort, number);
  expect(r.code, `${r.stdout}\n${r.stderr}\n${explain()}`).toBe(0);
  const listed = await waitFor(
    `the call to ${number} to be logged`,
    async () => {
      const res = await call(calls.GET, "GET", "/api/calls", { as: admin, query: `number=${number}` });
      const c = res.body.calls?.[0];
      return c?.endedAt ? c : undefined;
    },
    5000,
    explain,
  );
  const detail = await call(callById.GET, "GET", `/api/calls/${listed.id}`, { as: admin, params: { id: listed.id } });
  return detail.body.call.events;
}

const results = (events: Array<{ method: string; args: unknown[]; result: unknown }>, method: string) =>
  events.filter((e) => e.method === method).map((e) => [e.args[0], e.result]);

describe("an editor's flow cannot reach the host's files", () => {
  it("Record path /tmp/x/PWNED.wav: an IVR1021 error at the node's param, and the publish is refused", async () => {
    const id = await create(editor, "Pwn", [{ id: "start", kind: "start" }, record("rec", "/tmp/x/PWNED.wav"), { id: "bye", kind: "hangup" }]);
    const v = await call(validateRoute.POST, "POST", `/api/flows/${id}/validate`, { as: editor, params: { id }, body: {} });
    expect(v.status).toBe(200);
    const found = v.body.diagnostics.filter((d: { code: string }) => d.code === "IVR1021");
    expect(found).toEqual([
      {
        code: "IVR1021",
        severity: "error",
        nodeId: "rec",
        param: "path",
        message: `Record node "rec": File path "/tmp/x/PWNED.wav" is an absolute path; a flow's recordings are relative to the recordings folder (e.g. voicemail/\${uuid}.wav).`,
      },
    ]);
    const pub = await call(publish.POST, "POST", `/api/flows/${id}/publish`, { as: editor, params: { id }, body: {} });
    expect(pub.status).toBe(400);
    expect(pub.body.diagnostics.map((d: { code: string }) => d.code)).toContain("IVR1021");
    expect(await db.prisma.flowVersion.count({ where: { flowId: id } })).toBe(0);
    // ".." out of the folder is the same error.
    const dots = await call(validateRoute.POST, "POST", `/api/flows/${id}/validate`, {
      as: editor,
      params: { id },
      body: { graph: graph("Pwn", [{ id: "start", kind: "start" }, record("rec", "../../../tmp/x/PWNED.wav"), { id: "bye", kind: "hangup" }]) },
    });
    expect(dots.body.diagnostics.find((d: { code: string }) => d.code === "IVR1021")).toMatchObject({ nodeId: "rec", param: "path" });
  });

  it.skipIf(!hasSipp)("at run time an editor's flow records under IVR_RECORDINGS_DIR only: paths from an HTTP response are refused", async () => {
    const id = await create(editor, "Escape at run time", [
      { id: "start", kind: "start" },
      { id: "answer", kind: "answer" },
      record("keep", "vm/${caller_id_number}.wav"),
      {
        id: "ask",
        kind: "http_request",
        exit: "success",
        params: {
          url: `${httpBase}/where`,
          responseVariables: [{ name: "play_this", value: "play" }, { name: "record_here", value: "record" }, { name: "dots", value: "dots" }],
        },
      },
      { id: "play", kind: "execute", params: { application: "playback", data: "${play_this}" } },
      { id: "dots", kind: "execute", params: { application: "playback", data: "${dots}" } },
      { id: "pwned", kind: "execute", params: { application: "record", data: "${record_here} 1" } },
      { id: "bye", kind: "hangup" },
    ]);
    const pub = await call(publish.POST, "POST", `/api/flows/${id}/publish`, { as: editor, params: { id }, body: {} });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    await route("7100", id, 1);
    const events = await callThrough("7100");
    expect(results(events, "recordFile")).toEqual([[path.join(recordings, "vm/sipp.wav"), 1]]);
    expect(events.filter((e) => e.method === "execute").map((e) => e.args)).toEqual([
      ["playback", "${play_this}"],
      ["playback", "${dots}"],
      ["record", "${record_here} 1"],
    ]);
    expect(existsSync(path.join(recordings, "vm/sipp.wav"))).toBe(true);
    expect(existsSync(outside)).toBe(false);
    const refused = lines.filter((l) => l.startsWith("[sip] err ") && l.includes(" refused: "));
    expect(refused.map((l) => l.replace(/^\[sip\] err \w+ /, "")), explain()).toEqual([
      `Playing "/etc/passwd" refused: a flow plays files only under the sounds folder ${media} or the recordings folder ${recordings}`,
      `Playing "${path.join(media, "../../../../../etc/passwd")}" refused: a flow plays files only under the sounds folder ${media} or the recordings folder ${recordings}`,
      `Recording to "${path.join(outside, "http.wav")}" refused: a flow records only under the recordings folder ${recordings}`,
    ]);
  }, 30_000);

  it.skipIf(!hasSipp)("an admin's custom code in a flow is held to the same folders (TS snapshot)", async () => {
    const id = await create(admin, "Custom escape", [
      { id: "start", kind: "start" },
      { id: "answer", kind: "answer" },
      {
        id: "code",
        kind: "custom_code",
        params: {
          lua: "",
          ts: `await session.streamFile("/etc/passwd");\nawait session.recordFile(${JSON.stringify(path.join(outside, "any.wav"))}, 1);`,
        },
      },
      { id: "bye", kind: "hangup" },
    ]);
    const pub = await call(publish.POST, "POST", `/api/flows/${id}/publish`, { as: admin, params: { id }, body: {} });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    await route("7101", id, 2);
    const events = await callThrough("7101");
    expect(results(events, "streamFile")).toEqual([["/etc/passwd", 0]]);
    expect(results(events, "recordFile")).toEqual([[path.join(outside, "any.wav"), 0]]);
    expect(existsSync(outside)).toBe(false);
    expect(lines.some((l) => /^\[sip\] err \w+ Playing "\/etc\/passwd" refused/.test(l)), explain()).toBe(true);
  }, 30_000);
});
