// The runtime inside `npm start`: a number routed in the designer (REST API) runs the
// published flow over real SIP/RTP (SIPp), and the call comes back through GET /api/calls
// with the nodes it went through. The runtime is the bundle server.mjs builds (its own runtime
// thread, the media worker and Lua files beside it), driven against a fresh PGlite, as
// server.mjs does; this test's thread plays the web server's thread.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import type { RuntimeHandle } from "../../app/lib/server/runtime";
import * as setup from "../../app/api/auth/setup/route";
import * as flows from "../../app/api/flows/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as routes from "../../app/api/routes/route";
import * as routeById from "../../app/api/routes/[id]/route";
import * as calls from "../../app/api/calls/route";
import * as callById from "../../app/api/calls/[id]/route";
import * as runtimeStatus from "../../app/api/runtime/route";
import * as gateways from "../../app/api/gateways/route";
import * as sipUsers from "../../app/api/sip-users/route";
import * as sipUserById from "../../app/api/sip-users/[id]/route";
import { call, makeUser, repoRoot, startTestDatabase, stopTestDatabase, type Caller } from "../api/helpers";
import { bigFlow } from "../../fixtures/designer-big-flow";
import { freeUdpPort, hasSipp, runSipp, SIPP } from "../sip/sipp-harness";
import { loadBundledRuntime, mediaWithPrompts, waitFor } from "./support";

let db: Database;
let runtime: RuntimeHandle;
let admin: Caller;
const lines: string[] = [];
const media = mediaWithPrompts("main-menu");
const cacheDir = mkdtempSync(path.join(os.tmpdir(), "ivr-rtapp-cache-"));
let menuFlowId = "";
let draftFlowId = "";

const explain = () => lines.join("\n");

beforeAll(async () => {
  db = await startTestDatabase();
  process.env.IVR_MEDIA_DIR = media;
  process.env.IVR_SIP = "127.0.0.1:0";
  // Above the kernel's ephemeral ports (32768-60999), so no other test's socket is in the way.
  process.env.IVR_RTP_PORTS = "61100-61199";
  delete process.env.IVR_SIP_ALLOW;
  const mod = await loadBundledRuntime();
  runtime = await mod.startRuntime({ prisma: db.prisma, cacheDir, log: (l) => lines.push(l), pollMs: 150 });
  const r = await call(setup.POST, "POST", "/api/auth/setup", {
    body: { email: "ada@example.com", name: "Ada", password: "correct horse battery" },
    peer: "127.0.0.1",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  admin = { user: r.body.user, cookie: (r.headers.get("set-cookie") ?? "").split(";")[0] };
}, 60_000);

afterAll(async () => {
  await runtime?.stop(1000);
  await stopTestDatabase();
  rmSync(media, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
  for (const k of ["IVR_MEDIA_DIR", "IVR_SIP", "IVR_RTP_PORTS"]) delete process.env[k];
}, 20_000);

describe.skipIf(!hasSipp)("the runtime inside npm start", () => {
  it("starts with the database's routes and says where SIP listens", () => {
    expect(lines).toContain(`SIP: udp 127.0.0.1:${runtime.sipPort} (0 routes), RTP ports 61100-61199`);
    expect(runtime.sipPort).toBeGreaterThan(0);
  });

  it("serves a route saved in the designer once its flow is published; skips an unpublished one", async () => {
    const menu = await call(flows.POST, "POST", "/api/flows", { as: admin, body: { name: "Main menu", template: "main-menu" } });
    expect(menu.status, JSON.stringify(menu.body)).toBe(201);
    menuFlowId = menu.body.flow.id;
    const pub = await call(publish.POST, "POST", `/api/flows/${menuFlowId}/publish`, { as: admin, params: { id: menuFlowId }, body: { note: "v1", publishAnyway: true } });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    expect(pub.body.version.number).toBe(1);
    const draft = await call(flows.POST, "POST", "/api/flows", { as: admin, body: { name: "Never published", template: "pin-entry" } });
    draftFlowId = draft.body.flow.id;

    for (const [pattern, flowId] of [["1000", menuFlowId], ["2000", draftFlowId]]) {
      const r = await call(routes.POST, "POST", "/api/routes", { as: admin, body: { pattern, flowId } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    await waitFor("the runtime to pick up route 1000", () => runtime.routeCount === 1, 5000, explain);
    expect(lines.some((l) => /route 2000 -> flow "Never published": the flow has no published version; skipped/.test(l)), explain()).toBe(true);
  });

  it("a call to 1000 runs the published main menu (RFC 2833 digits 1 then 2) and is logged", async () => {
    const r = await runSipp("lua-dtmf-1-2", runtime.sipPort, "1000");
    expect(r.code, `${r.stdout}\n${r.stderr}\n${explain()}`).toBe(0);

    const listed = await waitFor(
      "the call to be logged with its end",
      async () => {
        const res = await call(calls.GET, "GET", "/api/calls", { as: admin, query: "number=1000" });
        const c = res.body.calls?.[0];
        return c?.endedAt ? c : undefined;
      },
      5000,
      explain,
    );
    expect(listed).toMatchObject({ to: "1000", flowId: menuFlowId, flowName: "Main menu", version: 1 });
    expect(listed.cause).toMatch(/^[A-Z_]+$/);

    const detail = await call(callById.GET, "GET", `/api/calls/${listed.id}`, { as: admin, params: { id: listed.id } });
    expect(detail.status).toBe(200);
    const c = detail.body.call;
    expect(c.nodes.slice(0, 6)).toEqual(["start", "answer", "welcome", "main_menu", "sales_menu", "to_existing_orders"]);
    const menus = c.events.filter((e: { method: string }) => e.method === "playAndGetDigits");
    expect(menus.map((e: { node: string; result: unknown }) => [e.node, e.result])).toEqual([["main_menu", "1"], ["sales_menu", "2"]]);
    // seq numbers are the runtime's (0 = start event), strictly increasing.
    const seqs = c.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
    expect(seqs[0]).toBeGreaterThanOrEqual(1);

    // The same call by its runtime UUID; a viewer may read calls; anonymous may not.
    const viewer = await makeUser(db, "viewer");
    const byUuid = await call(callById.GET, "GET", `/api/calls/${c.callId}`, { as: viewer, params: { id: c.callId } });
    expect(byUuid.status).toBe(200);
    expect(byUuid.body.call.id).toBe(listed.id);
    expect((await call(calls.GET, "GET", "/api/calls", {})).status).toBe(401);
  }, 30_000);

  it("a route to a flow with no published version answers 404, and no call is logged", async () => {
    const r = await runSipp("uac-reject", runtime.sipPort, "2000");
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const res = await call(calls.GET, "GET", "/api/calls", { as: admin, query: "number=2000" });
    expect(res.body.calls).toEqual([]);
  }, 20_000);

  it("filters and pages the call list", async () => {
    const byFlow = await call(calls.GET, "GET", "/api/calls", { as: admin, query: `flowId=${menuFlowId}&limit=1` });
    expect(byFlow.body.calls).toHaveLength(1);
    expect(byFlow.body.nextCursor).toBeNull();
    expect((await call(calls.GET, "GET", "/api/calls", { as: admin, query: `flowId=${draftFlowId}` })).body.calls).toEqual([]);
    expect((await call(calls.GET, "GET", "/api/calls", { as: admin, query: "limit=0" })).status).toBe(400);
    const missing = await call(callById.GET, "GET", "/api/calls/nope", { as: admin, params: { id: "nope" } });
    expect(missing.status).toBe(404);
  });

  it("answers SIP OPTIONS while the web server's thread is busy parsing large documents", async () => {
    // SIPp pings 20 times (10/s, each must be answered within 3 s); meanwhile this thread never
    // yields: it parses a 20,000-node flow document over and over until SIPp has finished.
    const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-rtapp-ping-"));
    const done = path.join(dir, "exit-code");
    const args = [
      `127.0.0.1:${runtime.sipPort}`, "-sf", path.join(repoRoot, "test/runtime-app/sipp/options-ping.xml"), "-s", "ping", "-m", "20", "-r", "10", "-l", "20",
      "-i", "127.0.0.1", "-p", String(await freeUdpPort()), "-nostdin", "-timeout", "30s", "-timeout_error", "-trace_err",
    ];
    const quoted = [SIPP, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const sipp = spawn("sh", ["-c", `${quoted} >${dir}/out 2>&1; echo $? >${done}.tmp && mv ${done}.tmp ${done}`], { cwd: dir, stdio: "ignore" });
    const doc = JSON.stringify(bigFlow(20_000));
    let parses = 0;
    while (!existsSync(done) && parses < 5000) {
      JSON.parse(doc);
      parses++;
    }
    await new Promise<void>((r) => (sipp.exitCode === null ? sipp.once("exit", () => r()) : r()));
    const code = readFileSync(done, "utf8").trim();
    const out = readFileSync(path.join(dir, "out"), "utf8");
    rmSync(dir, { recursive: true, force: true });
    expect(parses).toBeGreaterThan(1);
    expect(code, `${out}\n${explain()}`).toBe("0");
    // The thread was busy the whole time; the runtime thread still reports on demand.
    const stats = await runtime.stats();
    expect(stats).toMatchObject({ sipPort: runtime.sipPort, routes: runtime.routeCount, activeCalls: 0 });
  }, 60_000);

  it("reports the runtime thread's health over the API (viewer)", async () => {
    const viewer = await makeUser(db, "viewer");
    const r = await call(runtimeStatus.GET, "GET", "/api/runtime", { as: viewer });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ running: true, sip: { address: "127.0.0.1", port: runtime.sipPort }, routes: runtime.routeCount, activeCalls: 0 });
    expect(r.body.callLogEntries).toBeGreaterThan(0);
    expect(r.body.loopDelayMs.max).toBeGreaterThanOrEqual(r.body.loopDelayMs.p50);
    expect((await call(runtimeStatus.GET, "GET", "/api/runtime", {})).status).toBe(401);
  });

  it("follows publications and route changes live", async () => {
    const pub = await call(publish.POST, "POST", `/api/flows/${draftFlowId}/publish`, { as: admin, params: { id: draftFlowId }, body: { publishAnyway: true } });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    await waitFor("route 2000 to be served once its flow is published", () => runtime.routeCount === 2, 5000, explain);
    const list = await call(routes.GET, "GET", "/api/routes", { as: admin });
    const route1000 = list.body.routes.find((x: { pattern: string }) => x.pattern === "1000");
    const off = await call(routeById.PUT, "PUT", `/api/routes/${route1000.id}`, { as: admin, params: { id: route1000.id }, body: { enabled: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    await waitFor("route 1000 to be withdrawn", () => runtime.routeCount === 1, 5000, explain);
    const r = await runSipp("uac-reject", runtime.sipPort, "1000");
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 20_000);

  it("takes SIP users and gateways saved in the designer without a restart: a phone registers at once, a removed user no longer can", async () => {
    const u = await call(sipUsers.POST, "POST", "/api/sip-users", { as: admin, body: { number: "3001", password: "desk-secret-3001" } });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const auth = ["-au", "3001", "-ap", "desk-secret-3001"];
    const r = await runSipp("register-auth", runtime.sipPort, "3001", auth);
    expect(r.code, `${r.stdout}\n${r.stderr}\n${explain()}`).toBe(0);
    await waitFor("3001 to be listed as registered", async () => (await call(sipUsers.GET, "GET", "/api/sip-users", { as: admin })).body.users[0]?.registered === true, 5000, explain);
    const g = await call(gateways.POST, "POST", "/api/gateways", { as: admin, body: { name: "carrier", host: "127.0.0.1", port: 9, allow: ["1NXXNXXXXXX"] } });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    await waitFor("the runtime to report the gateway", async () => (await call(gateways.GET, "GET", "/api/gateways", { as: admin })).body.gateways[0]?.state?.status === "up", 5000, explain);
    expect(explain()).not.toContain("desk-secret-3001");
    const del = await call(sipUserById.DELETE, "DELETE", `/api/sip-users/${u.body.user.id}`, { as: admin, params: { id: u.body.user.id } });
    expect(del.status).toBe(204);
    const again = await runSipp("register-auth", runtime.sipPort, "3001", auth);
    expect(again.code, "a deleted user must not register").not.toBe(0);
  }, 30_000);
});
