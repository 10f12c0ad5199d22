// The live view of calls in progress, over real SIP (SIPp callers that stay on the line): each
// call with the node it sits in, pushed as server-sent events; a viewer watches, only an admin
// hangs a call up (and the call log says an admin did); and a flow re-published while a call is
// in progress: that call finishes on its version, the next call takes the new one.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import type { RuntimeHandle } from "../../app/lib/server/runtime";
import type { LiveCallView } from "../../app/lib/server/runtime/live";
import * as flows from "../../app/api/flows/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as routes from "../../app/api/routes/route";
import * as callById from "../../app/api/calls/[id]/route";
import * as live from "../../app/api/calls/live/route";
import * as liveEvents from "../../app/api/calls/live/events/route";
import * as hangup from "../../app/api/calls/live/[callId]/hangup/route";
import { call, makeUser, ORIGIN, startTestDatabase, stopTestDatabase, type Caller } from "../api/helpers";
import { hasSipp, runSipp, type SippResult } from "../sip/sipp-harness";
import { loadBundledRuntime, mediaWithPrompts, waitFor } from "./support";

let db: Database;
let runtime: RuntimeHandle;
let admin: Caller;
let viewer: Caller;
let flowId = "";
const lines: string[] = [];
const media = mediaWithPrompts("main-menu");
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "ivr-rtapp-live-"));
const explain = () => lines.join("\n");

beforeAll(async () => {
  db = await startTestDatabase();
  const config = {
    sipAddress: "127.0.0.1",
    sipPort: 0,
    rtpPorts: [61500, 61599] as [number, number],
    allowNetworks: ["127.0.0.0/8"],
    soundsDir: media,
    starterSounds: false,
    recordingsDir: path.join(cacheDir, "recordings"),
    ownThread: true,
  };
  runtime = await (await loadBundledRuntime()).startRuntime({ prisma: db.prisma, cacheDir, log: (l) => lines.push(l), pollMs: 150, flushEveryMs: 50, config });
  admin = await makeUser(db, "admin");
  viewer = await makeUser(db, "viewer");
  const flow = await call(flows.POST, "POST", "/api/flows", { as: admin, body: { name: "Main menu", template: "main-menu" } });
  flowId = flow.body.flow.id;
  expect((await call(publish.POST, "POST", `/api/flows/${flowId}/publish`, { as: admin, params: { id: flowId }, body: { note: "v1", publishAnyway: true } })).status).toBe(201);
  expect((await call(routes.POST, "POST", "/api/routes", { as: admin, body: { pattern: "1100", flowId } })).status).toBe(201);
  await waitFor("route 1100 to be served", () => runtime.routeCount === 1, 5000, explain);
}, 60_000);

afterAll(async () => {
  await runtime?.stop(1000);
  await stopTestDatabase();
  rmSync(media, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}, 20_000);

/** A caller that stays on the line until the server hangs up (SIPp exits 0 once it got our BYE). */
const caller = (): Promise<SippResult> => runSipp("lua-wait-bye", runtime.sipPort, "1100", ["-timeout", "30s"]);

/** GET /api/calls/live/events read as a browser's EventSource would: each `calls` event's list. */
async function openLiveEvents(as: Caller, query = "") {
  const abort = new AbortController();
  const req = new Request(`${ORIGIN}/api/calls/live/events${query}`, { headers: { host: "localhost:3000", cookie: as.cookie }, signal: abort.signal });
  const res = await liveEvents.GET(req, { params: Promise.resolve({}) } as never);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const lists: LiveCallView[][] = [];
  let seen = 0;
  return {
    res,
    /** The first list after the one the previous call returned (received or coming) that satisfies `want`. */
    async until(what: string, want: (calls: LiveCallView[]) => boolean, timeoutMs = 8000): Promise<LiveCallView[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = lists.findIndex((l, i) => i >= seen && want(l));
        if (at >= 0) {
          seen = at + 1;
          return lists[at];
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no live list with ${what}; got ${JSON.stringify(lists.at(-1))}\n${explain()}`);
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
        if (!chunk || chunk.done) continue;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^event: calls$/m.test(block)) lists.push(JSON.parse(block.match(/^data: (.*)$/m)![1]));
        }
      }
    },
    close() {
      abort.abort();
      void reader.cancel().catch(() => undefined);
    },
  };
}

const hangUp = (as: Caller, callId: string) => call(hangup.POST, "POST", `/api/calls/live/${callId}/hangup`, { as, params: { callId } });

describe.skipIf(!hasSipp)("live calls", () => {
  it("a call in progress is pushed live with its node; a viewer watches but may not hang up; an admin hangs it up", async () => {
    const events = await openLiveEvents(viewer, `?flowId=${flowId}`);
    expect(events.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(await events.until("no call yet", (c) => c.length === 0)).toEqual([]);
    const sipp = caller();
    const [inMenu] = await events.until("the call in main_menu", (c) => c.length === 1 && c[0].node === "main_menu");
    expect(inMenu).toMatchObject({ to: "1100", flowId, flowName: "Main menu", version: 1, node: "main_menu" });

    const listed = await call(live.GET, "GET", "/api/calls/live", { as: viewer });
    expect(listed.status).toBe(200);
    expect(listed.body.calls.map((c: LiveCallView) => [c.callId, c.node])).toEqual([[inMenu.callId, "main_menu"]]);
    expect((await call(live.GET, "GET", "/api/calls/live", { as: viewer, query: "flowId=other" })).body.calls).toEqual([]);
    expect((await call(live.GET, "GET", "/api/calls/live", {})).status).toBe(401);

    const refused = await hangUp(viewer, inMenu.callId);
    expect(refused.status).toBe(403);
    const editor = await makeUser(db, "editor");
    expect((await hangUp(editor, inMenu.callId)).status).toBe(403);
    expect((await hangUp(admin, "not-a-call-in-progress")).status).toBe(404);
    const done = await hangUp(admin, inMenu.callId);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const r = await sipp;
    expect(r.code, `${r.stdout}\n${r.stderr}\n${explain()}`).toBe(0);
    await events.until("the call gone", (c) => c.length === 0, 5000);
    events.close();

    // The call log says who ended it.
    const logged = await waitFor("the call's end to be logged", async () => {
      const res = await call(callById.GET, "GET", `/api/calls/${inMenu.callId}`, { as: viewer, params: { id: inMenu.callId } });
      return res.body.call?.endedAt ? res.body.call : undefined;
    }, 5000, explain);
    expect(logged).toMatchObject({ hangupBy: "admin", cause: "NORMAL_CLEARING", version: 1 });
    expect(logged.nodes.at(-1)).toBe("main_menu");
    const audit = await db.prisma.auditLog.findMany({ where: { action: "call.hangup" } });
    expect(audit.map((a) => [a.actorEmail, a.targetId, a.target, (a.details as { node?: string }).node])).toEqual([[admin.user.email, inMenu.callId, `${inMenu.from} → 1100`, "main_menu"]]);
    // Already over: nothing to hang up.
    expect((await hangUp(admin, inMenu.callId)).status).toBe(404);
  }, 40_000);

  it("re-published while a call is in progress: that call finishes on its version, the next call takes the new one", async () => {
    const events = await openLiveEvents(admin);
    const first = caller();
    const [a] = await events.until("the first call in main_menu", (c) => c.length === 1 && c[0].node === "main_menu");

    // Version 2: the menu node is renamed, so the node a call sits in says which version runs it.
    const draft = await call(flowById.GET, "GET", `/api/flows/${flowId}`, { as: admin, params: { id: flowId } });
    const graph = JSON.parse(JSON.stringify(draft.body.flow.graph).replaceAll('"main_menu"', '"main_menu_v2"'));
    const saved = await call(flowById.PUT, "PUT", `/api/flows/${flowId}`, { as: admin, params: { id: flowId }, body: { graph, baseRevision: draft.body.flow.revision } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const updates = lines.filter((l) => /routes updated/.test(l)).length;
    const v2 = await call(publish.POST, "POST", `/api/flows/${flowId}/publish`, { as: admin, params: { id: flowId }, body: { note: "v2", publishAnyway: true } });
    expect(v2.status, JSON.stringify(v2.body)).toBe(201);
    expect(v2.body.version.number).toBe(2);
    await waitFor("the runtime to take version 2", () => lines.filter((l) => /routes updated/.test(l)).length > updates, 5000, explain);

    const second = caller();
    const both = await events.until("both calls, each on its version", (c) => c.length === 2 && c[1].node === "main_menu_v2");
    expect(both.map((c) => [c.callId, c.version, c.node])).toEqual([
      [a.callId, 1, "main_menu"],
      [both[1].callId, 2, "main_menu_v2"],
    ]);
    for (const c of both) expect((await hangUp(admin, c.callId)).status).toBe(200);
    for (const r of await Promise.all([first, second])) expect(r.code, `${r.stdout}\n${r.stderr}\n${explain()}`).toBe(0);
    events.close();

    const detail = async (id: string) =>
      waitFor(`call ${id} to end`, async () => {
        const res = await call(callById.GET, "GET", `/api/calls/${id}`, { as: admin, params: { id } });
        return res.body.call?.endedAt ? res.body.call : undefined;
      }, 5000, explain);
    const [oldCall, newCall] = [await detail(a.callId), await detail(both[1].callId)];
    expect([oldCall.version, oldCall.nodes.includes("main_menu"), oldCall.nodes.includes("main_menu_v2")]).toEqual([1, true, false]);
    expect([newCall.version, newCall.nodes.includes("main_menu_v2"), newCall.nodes.includes("main_menu")]).toEqual([2, true, false]);
  }, 60_000);
});
