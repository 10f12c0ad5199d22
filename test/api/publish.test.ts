// Publishing: validation with the publisher's rights, immutable versions with script
// snapshots, history, diff, rollback, and the FreeSWITCH bundle.zip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import type { Database } from "../../app/lib/server/db/client";
import * as flows from "../../app/api/flows/route";
import * as flowImport from "../../app/api/flows/import/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as validateRoute from "../../app/api/flows/[id]/validate/route";
import * as versions from "../../app/api/flows/[id]/versions/route";
import * as versionByN from "../../app/api/flows/[id]/versions/[n]/route";
import * as diff from "../../app/api/flows/[id]/versions/[n]/diff/route";
import * as rollback from "../../app/api/flows/[id]/versions/[n]/rollback/route";
import * as bundle from "../../app/api/flows/[id]/bundle.zip/route";
import * as routes from "../../app/api/routes/route";
import * as settings from "../../app/api/settings/route";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
let editor: Caller;
let adminUser: Caller;
let viewer: Caller;
beforeAll(async () => {
  db = await startTestDatabase();
  editor = await makeUser(db, "editor", "Eve Editor");
  adminUser = await makeUser(db, "admin", "Ada Admin");
  viewer = await makeUser(db, "viewer", "Vic Viewer");
});
afterAll(stopTestDatabase);

async function newFlow(name: string, extra: Record<string, unknown> = {}, as = editor) {
  const r = await call(flows.POST, "POST", "/api/flows", { as, body: { name, ...extra } });
  expect(r.status).toBe(201);
  return r.body.flow;
}
const p = (id: string, n?: number): Record<string, string> => (n === undefined ? { id } : { id, n: String(n) });
// The templates play prompts/acme/... files this test server lacks (IVR1030): published anyway
// here; the refusal without publishAnyway has its own test below.
const doPublish = (id: string, as: Caller, body: Record<string, unknown> = {}) =>
  call(publish.POST, "POST", `/api/flows/${id}/publish`, { as, params: p(id), body: { publishAnyway: true, ...body } });
const save = (id: string, as: Caller, graph: unknown, baseRevision: number) => call(flowById.PUT, "PUT", `/api/flows/${id}`, { as, params: p(id), body: { graph, baseRevision } });

describe("publish", () => {
  let menu: any;

  it("publishes version 1 with a snapshot of the generated Lua and TypeScript", async () => {
    menu = await newFlow("Menu", { template: "main-menu" });
    expect((await doPublish(menu.id, viewer)).status).toBe(403);
    const r = await doPublish(menu.id, editor, { note: "first cut", baseRevision: 1 });
    expect(r.status).toBe(201);
    expect(r.body.version).toMatchObject({ number: 1, note: "first cut", author: "Eve Editor" });
    const v1 = await call(versionByN.GET, "GET", `/api/flows/${menu.id}/versions/1`, { as: viewer, params: p(menu.id, 1) });
    expect(v1.status).toBe(200);
    expect(v1.body.version.graph.nodes).toEqual(menu.graph.nodes);
    // The scripts are really generated from this graph: its prompt paths are in both.
    for (const code of [v1.body.version.lua, v1.body.version.ts]) {
      expect(code).toContain("prompts/acme/main_menu.wav");
      expect(code).toContain("ivr_node");
    }
    expect(v1.body.version.lua).toMatch(/session:/);
    expect(v1.body.version.ts).toMatch(/await session\./);
    const list = await call(flows.GET, "GET", "/api/flows", { as: viewer });
    expect(list.body.flows.find((f: { id: string }) => f.id === menu.id).publishedVersion).toBe(1);
  });

  it("never changes a published version: later saves leave it alone, and the database refuses updates", async () => {
    const before = await call(versionByN.GET, "GET", `/api/flows/${menu.id}/versions/1`, { as: editor, params: p(menu.id, 1) });
    const edited = { ...menu.graph, nodes: menu.graph.nodes.map((n: any) => (n.id === "welcome" ? { ...n, params: { ...n.params, file: "ivr/ivr-hello.wav" } } : n)) };
    expect((await save(menu.id, editor, edited, 1)).status).toBe(200);
    const after = await call(versionByN.GET, "GET", `/api/flows/${menu.id}/versions/1`, { as: editor, params: p(menu.id, 1) });
    expect(after.body.version).toEqual(before.body.version);
    await expect(db.prisma.flowVersion.updateMany({ where: { flowId: menu.id }, data: { note: "tampered" } })).rejects.toThrow(/cannot be changed/);
    expect("PUT" in versionByN || "PATCH" in versionByN || "DELETE" in versionByN).toBe(false);
  });

  it("refuses a publish from a stale revision", async () => {
    const r = await doPublish(menu.id, editor, { baseRevision: 1 });
    expect(r.status).toBe(409);
    expect(r.body.currentRevision).toBe(2);
  });

  it("answers an invalid flow with 400 and diagnostics, creating no version", async () => {
    const blank = await newFlow("Dangling");
    const graph = { ...blank.graph, nodes: [...blank.graph.nodes, { id: "m", kind: "menu", label: "Orphan menu", params: {}, position: { x: 0, y: 200 } }] };
    expect((await save(blank.id, editor, graph, 1)).status).toBe(200);
    const r = await doPublish(blank.id, editor);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("invalid");
    expect(r.body.message).toMatch(/error/);
    expect(r.body.diagnostics.some((d: { severity: string }) => d.severity === "error")).toBe(true);
    expect(r.body.diagnostics.some((d: { nodeId?: string }) => d.nodeId === "m")).toBe(true);
    expect(await db.prisma.flowVersion.count({ where: { flowId: blank.id } })).toBe(0);
    // The validate endpoint reports the same problems without publishing.
    const v = await call(validateRoute.POST, "POST", `/api/flows/${blank.id}/validate`, { as: viewer, params: p(blank.id) });
    expect(v.status).toBe(200);
    expect(v.body.diagnostics.map((d: { code: string }) => d.code)).toEqual(r.body.diagnostics.map((d: { code: string }) => d.code));
  });

  it("lets only an admin publish custom code", async () => {
    const blank = await newFlow("Scripted");
    const graph = {
      ...blank.graph,
      nodes: [
        ...blank.graph.nodes,
        { id: "code", kind: "custom_code", label: "Magic", params: { lua: "session:setVariable('x', '1')\n", ts: "session.setVariable('x', '1');\n" }, position: { x: 0, y: 150 } },
        { id: "bye", kind: "hangup", label: "Bye", params: {}, position: { x: 0, y: 300 } },
      ],
      edges: [
        { source: blank.graph.nodes[0].id, outcome: "next", target: "code" },
        { source: "code", outcome: "next", target: "bye" },
      ],
    };
    expect((await save(blank.id, editor, graph, 1)).status).toBe(200);
    const denied = await doPublish(blank.id, editor);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/Only an admin.*custom code.*Magic/);
    const ok = await doPublish(blank.id, adminUser);
    expect(ok.status).toBe(201);
    const v = await call(versionByN.GET, "GET", `/api/flows/${blank.id}/versions/1`, { as: editor, params: p(blank.id, 1) });
    expect(v.body.version.lua).toContain("session:setVariable('x', '1')");
  });

  it("checks HTTP request hosts against the admin's allow-list", async () => {
    const lookup = await newFlow("Lookup", { template: "http-lookup" });
    const denied = await doPublish(lookup.id, editor);
    expect(denied.status).toBe(400);
    expect(denied.body.diagnostics.map((d: { code: string }) => d.code)).toContain("IVR1019");
    const host = denied.body.diagnostics.find((d: { code: string }) => d.code === "IVR1019").message.match(/host (\S+) is not/)[1];
    expect((await call(settings.PUT, "PUT", "/api/settings", { as: adminUser, body: { httpAllowList: [host] } })).status).toBe(200);
    expect((await doPublish(lookup.id, editor)).status).toBe(201);
  });
});

describe("publish checks what this server has (IVR1030 prompts, IVR1031 gateways and users, IVR1032 phrases)", () => {
  const graph = {
    schemaVersion: 1,
    name: "Needs things",
    nodes: [
      { id: "start", kind: "start", label: "", params: {}, position: { x: 0, y: 0 } },
      { id: "hello", kind: "play", label: "Hello", params: { file: "prompts/never_uploaded.wav" }, position: { x: 0, y: 100 } },
      { id: "queue", kind: "phrase", label: "Queue", params: { name: "no_such_phrase" }, position: { x: 0, y: 200 } },
      { id: "agent", kind: "bridge", label: "Agent", params: { dialString: "sofia/gateway/nowhere/2000,user/4242" }, position: { x: 0, y: 300 } },
      { id: "bye", kind: "hangup", label: "Bye", params: {}, position: { x: 0, y: 400 } },
    ],
    edges: [
      { source: "start", outcome: "next", target: "hello" },
      { source: "hello", outcome: "next", target: "queue" },
      { source: "queue", outcome: "next", target: "agent" },
      ...["answered", "busy", "no_answer", "failed"].map((outcome) => ({ source: "agent", outcome, target: "bye" })),
    ],
  };
  const missing = ["IVR1030", "IVR1031", "IVR1032"];

  it("refuses (422) with validate's own diagnostics at the nodes, publishes nothing; publishAnyway publishes", async () => {
    const flow = await newFlow("Needs things", { graph });
    const v = await call(validateRoute.POST, "POST", `/api/flows/${flow.id}/validate`, { as: editor, params: p(flow.id), body: {} });
    const expected = v.body.diagnostics.filter((d: { code: string }) => missing.includes(d.code));
    expect(expected.map((d: { code: string; nodeId: string; param: string }) => [d.code, d.nodeId, d.param])).toEqual([
      ["IVR1030", "hello", "file"],
      ["IVR1031", "agent", "dialString"],
      ["IVR1031", "agent", "dialString"],
      ["IVR1032", "queue", "name"],
    ]);
    const r = await call(publish.POST, "POST", `/api/flows/${flow.id}/publish`, { as: editor, params: p(flow.id), body: { note: "v1" } });
    expect(r.status).toBe(422);
    expect(r.body.error).toBe("missing_on_server");
    expect(r.body.diagnostics).toEqual(expected);
    for (const d of expected) expect(r.body.message).toContain(d.message);
    expect(await db.prisma.flowVersion.count({ where: { flowId: flow.id } })).toBe(0);
    expect((await call(publish.POST, "POST", `/api/flows/${flow.id}/publish`, { as: editor, params: p(flow.id), body: { publishAnyway: "yes" } })).status).toBe(400);
    const anyway = await call(publish.POST, "POST", `/api/flows/${flow.id}/publish`, { as: editor, params: p(flow.id), body: { publishAnyway: true } });
    expect(anyway.status).toBe(201);
  });

  it("an imported flow is refused the same way when published", async () => {
    const imported = await call(flowImport.POST, "POST", "/api/flows/import", { as: editor, body: { name: "Imported needs", graph } });
    expect(imported.status).toBe(201);
    const id = imported.body.flow.id;
    const r = await call(publish.POST, "POST", `/api/flows/${id}/publish`, { as: editor, params: p(id), body: {} });
    expect(r.status).toBe(422);
    expect(r.body.diagnostics.map((d: { code: string; nodeId: string }) => `${d.code} ${d.nodeId}`)).toEqual(["IVR1030 hello", "IVR1031 agent", "IVR1031 agent", "IVR1032 queue"]);
  });
});

describe("history, diff and rollback", () => {
  it("lists versions, diffs them readably, and rolls back as a new version", async () => {
    const flow = await newFlow("History", { template: "main-menu" });
    expect((await doPublish(flow.id, editor, { note: "v1" })).status).toBe(201);
    const g2 = {
      ...flow.graph,
      nodes: flow.graph.nodes.map((n: any) => (n.id === "welcome" ? { ...n, label: "Hello", params: { ...n.params, file: "ivr/ivr-hello.wav" } } : n)),
    };
    expect((await save(flow.id, editor, g2, 1)).status).toBe(200);
    expect((await doPublish(flow.id, adminUser, { note: "v2" })).status).toBe(201);

    const list = await call(versions.GET, "GET", `/api/flows/${flow.id}/versions`, { as: viewer, params: p(flow.id) });
    expect(list.body.versions.map((v: any) => [v.number, v.note, v.author])).toEqual([
      [2, "v2", "Ada Admin"],
      [1, "v1", "Eve Editor"],
    ]);

    const d = await call(diff.GET, "GET", `/api/flows/${flow.id}/versions/2/diff`, { as: viewer, params: p(flow.id, 2) });
    expect(d.status).toBe(200);
    expect(d.body.changes.map((c: any) => [c.type, c.nodeId, c.param ?? null])).toEqual([
      ["label_changed", "welcome", null],
      ["param_changed", "welcome", "file"],
    ]);
    const fileChange = d.body.changes[1];
    expect(fileChange).toMatchObject({ before: "ivr/ivr-welcome_to_freeswitch.wav", after: "ivr/ivr-hello.wav" });
    expect(fileChange.text).toContain("ivr/ivr-hello.wav");
    const first = await call(diff.GET, "GET", `/api/flows/${flow.id}/versions/1/diff`, { as: viewer, params: p(flow.id, 1) });
    expect(first.body.changes.filter((c: any) => c.type === "node_added")).toHaveLength(flow.graph.nodes.length);
    expect(first.body.from).toEqual({ version: null });
    expect(first.body.changes.filter((c: any) => c.type === "settings_changed")).toEqual([]);
    const vsDraft = await call(diff.GET, "GET", `/api/flows/${flow.id}/versions/2/diff`, { as: viewer, params: p(flow.id, 2), query: "against=draft" });
    expect(vsDraft.body.changes).toEqual([]);
    const explicit = await call(diff.GET, "GET", `/api/flows/${flow.id}/versions/2/diff`, { as: viewer, params: p(flow.id, 2), query: "against=1" });
    expect(explicit.body.changes).toEqual(d.body.changes);
    expect((await call(diff.GET, "GET", `/api/flows/${flow.id}/versions/2/diff`, { as: viewer, params: p(flow.id, 2), query: "against=9" })).status).toBe(404);

    const rb = await call(rollback.POST, "POST", `/api/flows/${flow.id}/versions/1/rollback`, { as: editor, params: p(flow.id, 1), body: {} });
    expect(rb.status).toBe(201);
    expect(rb.body.version).toMatchObject({ number: 3, note: "Rollback to version 1" });
    const v3 = await call(versionByN.GET, "GET", `/api/flows/${flow.id}/versions/3`, { as: viewer, params: p(flow.id, 3) });
    const v1 = await call(versionByN.GET, "GET", `/api/flows/${flow.id}/versions/1`, { as: viewer, params: p(flow.id, 1) });
    expect(v3.body.version.graph.nodes).toEqual(v1.body.version.graph.nodes);
    const draft = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: viewer, params: p(flow.id) });
    expect(draft.body.flow.revision).toBe(3);
    expect(draft.body.flow.graph.nodes).toEqual(v1.body.version.graph.nodes);
    expect(draft.body.flow.publishedVersion).toBe(3);
    expect((await call(rollback.POST, "POST", `/api/flows/${flow.id}/versions/7/rollback`, { as: editor, params: p(flow.id, 7), body: {} })).status).toBe(404);
  });
});

describe("bundle.zip", () => {
  it("zips the Lua script, dialplan and README of the published version, with the prompts found in the media folder", async () => {
    const media = process.env.IVR_MEDIA_DIR!;
    const wav = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4, 87, 65, 86, 69]);
    mkdirSync(path.join(media, "prompts", "acme"), { recursive: true });
    writeFileSync(path.join(media, "prompts", "acme", "main_menu.wav"), wav);
    const flow = await newFlow("Acme Main", { template: "main-menu" });
    expect((await call(routes.POST, "POST", "/api/routes", { as: editor, body: { pattern: "4100", flowId: flow.id } })).status).toBe(201);
    expect((await doPublish(flow.id, editor)).status).toBe(201);

    const r = await call(bundle.GET, "GET", `/api/flows/${flow.id}/bundle.zip`, { as: viewer, params: p(flow.id) });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/zip");
    expect(r.headers.get("content-disposition")).toMatch(/attachment; filename="acme_main-v1\.zip"/);
    const files = unzipSync(r.bytes);
    expect(Object.keys(files).sort()).toEqual(["README.md", "acme_main.lua", "dialplan/acme_main.xml", "sounds/prompts/acme/main_menu.wav"]);
    expect(files["sounds/prompts/acme/main_menu.wav"]).toEqual(wav);
    expect(strFromU8(files["dialplan/acme_main.xml"])).toContain('expression="^4100$"');
    expect(strFromU8(files["dialplan/acme_main.xml"])).toContain('data="acme_main.lua"');
    const v1 = await call(versionByN.GET, "GET", `/api/flows/${flow.id}/versions/1`, { as: viewer, params: p(flow.id, 1) });
    expect(strFromU8(files["acme_main.lua"])).toBe(v1.body.version.lua);
    expect(Number(r.headers.get("x-ivr-missing-prompts"))).toBeGreaterThan(0); // the stock FreeSWITCH sounds are not in our media folder
  });

  it("exports the draft when nothing is published, and refuses a broken draft", async () => {
    const flow = await newFlow("Just drafted", { template: "pin-entry" });
    const r = await call(bundle.GET, "GET", `/api/flows/${flow.id}/bundle.zip`, { as: editor, params: p(flow.id) });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toMatch(/-draft\.zip"/);
    expect(Object.keys(unzipSync(r.bytes))).toContain("README.md");
    const broken = await newFlow("Broken");
    await save(broken.id, editor, { ...broken.graph, nodes: [...broken.graph.nodes, { id: "x", kind: "menu", params: {} }] }, 1);
    const bad = await call(bundle.GET, "GET", `/api/flows/${broken.id}/bundle.zip`, { as: editor, params: p(broken.id) });
    expect(bad.status).toBe(400);
    expect(bad.body.diagnostics.length).toBeGreaterThan(0);
  });
});
