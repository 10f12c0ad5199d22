// Draft flows: create (blank / template / graph), save with revision conflicts, rename,
// duplicate, import/export, delete with routes in use; routes with overlap checks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Database } from "../../app/lib/server/db/client";
import * as flows from "../../app/api/flows/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as duplicate from "../../app/api/flows/[id]/duplicate/route";
import * as importFlow from "../../app/api/flows/import/route";
import * as exportFlow from "../../app/api/flows/[id]/export.json/route";
import * as routes from "../../app/api/routes/route";
import * as routeById from "../../app/api/routes/[id]/route";
import * as prompts from "../../app/api/prompts/route";
import { mkdirSync, writeFileSync } from "node:fs";
import { call, makeUser, repoRoot, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
let alice: Caller;
let bob: Caller;
let adminUser: Caller;
beforeAll(async () => {
  db = await startTestDatabase();
  alice = await makeUser(db, "editor", "Alice");
  bob = await makeUser(db, "editor", "Bob");
  adminUser = await makeUser(db, "admin", "Root");
});
afterAll(stopTestDatabase);

async function newFlow(name: string, extra: Record<string, unknown> = {}) {
  const r = await call(flows.POST, "POST", "/api/flows", { as: alice, body: { name, ...extra } });
  expect(r.status).toBe(201);
  return r.body.flow;
}

describe("creating and reading flows", () => {
  it("creates a blank flow with only a Start node", async () => {
    const flow = await newFlow("Blank one");
    expect(flow).toMatchObject({ name: "Blank one", revision: 1, publishedVersion: null, createdBy: "Alice" });
    expect(flow.graph.nodes.map((n: { kind: string }) => n.kind)).toEqual(["start"]);
    expect(flow.graph.edges).toEqual([]);
    expect(flow.graph.name).toBe("Blank one");
    const got = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: bob, params: { id: flow.id } });
    expect(got.body.flow).toEqual(flow);
    const list = await call(flows.GET, "GET", "/api/flows", { as: bob });
    expect(list.body.flows.find((f: { id: string }) => f.id === flow.id)).toMatchObject({ name: "Blank one", revision: 1 });
    expect(list.body.flows[0].graph).toBeUndefined();
  });

  it("creates a flow from every example template", async () => {
    const templates = readdirSync(path.join(repoRoot, "examples")).filter((f) => f.endsWith(".json"));
    expect(templates.length).toBeGreaterThan(0);
    for (const file of templates) {
      const flow = await newFlow(`From ${file}`, { template: file.replace(/\.json$/, "") });
      expect(flow.graph.nodes.length).toBeGreaterThan(1);
      expect(flow.name).toBe(`From ${file}`);
    }
  });

  it("refuses unknown or path-like template names", async () => {
    for (const template of ["nope", "../package", "a/b"]) {
      const r = await call(flows.POST, "POST", "/api/flows", { as: alice, body: { name: "x", template } });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("invalid");
    }
  });

  it("404s an unknown flow", async () => {
    const r = await call(flowById.GET, "GET", "/api/flows/nope", { as: alice, params: { id: "nope" } });
    expect(r.status).toBe(404);
    expect(r.body.error).toBe("not_found");
  });
});

describe("saving drafts", () => {
  it("bumps the revision on save and answers a stale save with 409 naming the other editor", async () => {
    const flow = await newFlow("Contested");
    const graph = { ...flow.graph, nodes: [...flow.graph.nodes, { id: "h", kind: "hangup", label: "Bye", params: {}, position: { x: 0, y: 100 } }] };
    const first = await call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, { as: bob, params: { id: flow.id }, body: { graph, baseRevision: 1 } });
    expect(first.status).toBe(200);
    expect(first.body.flow.revision).toBe(2);
    expect(first.body.flow.updatedBy).toBe("Bob");
    const stale = await call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id }, body: { graph: flow.graph, baseRevision: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe("conflict");
    expect(stale.body.currentRevision).toBe(2);
    expect(stale.body.message).toMatch(/^This flow was changed by Bob at .+ \(revision 2\)\. Reload to see their changes; your edit was not saved\.$/);
    const now = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id } });
    expect(now.body.flow.graph.nodes).toHaveLength(2);
  });

  it("lets exactly one of two concurrent saves from the same revision win", async () => {
    const flow = await newFlow("Race");
    const save = (who: Caller, label: string) =>
      call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, {
        as: who,
        params: { id: flow.id },
        body: { graph: { ...flow.graph, nodes: [{ ...flow.graph.nodes[0], label }] }, baseRevision: 1 },
      });
    const results = await Promise.all([save(alice, "A"), save(bob, "B"), save(alice, "C")]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const now = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id } });
    expect(now.body.flow.revision).toBe(2);
    expect(now.body.flow.graph.nodes[0].label).toBe(winner.body.flow.graph.nodes[0].label);
  });

  it("refuses a save without baseRevision or with a broken document, saving nothing", async () => {
    const flow = await newFlow("Strict");
    const noBase = await call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id }, body: { graph: flow.graph } });
    expect(noBase.status).toBe(400);
    const broken = await call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id }, body: { graph: { schemaVersion: 1, nodes: "x" }, baseRevision: 1 } });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/nodes/);
    expect(broken.body.issues.length).toBeGreaterThan(0);
    const now = await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id } });
    expect(now.body.flow.revision).toBe(1);
  });

  it("renames without bumping the revision, and duplicates under a free name", async () => {
    const flow = await newFlow("Old name");
    const r = await call(flowById.PATCH, "PATCH", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id }, body: { name: "New name", description: "Main line" } });
    expect(r.status).toBe(200);
    expect(r.body.flow).toMatchObject({ name: "New name", description: "Main line", revision: 1 });
    expect(r.body.flow.graph).toMatchObject({ name: "New name", description: "Main line" });
    expect((await call(flowById.PATCH, "PATCH", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id }, body: { name: "  " } })).status).toBe(400);
    const d1 = await call(duplicate.POST, "POST", `/api/flows/${flow.id}/duplicate`, { as: bob, params: { id: flow.id } });
    const d2 = await call(duplicate.POST, "POST", `/api/flows/${flow.id}/duplicate`, { as: bob, params: { id: flow.id } });
    expect(d1.status).toBe(201);
    expect([d1.body.flow.name, d2.body.flow.name]).toEqual(["New name (copy)", "New name (copy 2)"]);
    expect(d1.body.flow.id).not.toBe(flow.id);
    expect(d1.body.flow.graph.nodes).toEqual(r.body.flow.graph.nodes);
    expect(d1.body.flow).toMatchObject({ revision: 1, publishedVersion: null, createdBy: "Bob" });
  });
});

describe("import and export", () => {
  it("round-trips a flow through export.json and import", async () => {
    const flow = await newFlow("Exported", { template: "main-menu" });
    const ex = await call(exportFlow.GET, "GET", `/api/flows/${flow.id}/export.json`, { as: bob, params: { id: flow.id } });
    expect(ex.status).toBe(200);
    expect(ex.headers.get("content-disposition")).toMatch(/^attachment; filename="exported\.json"/);
    const doc = JSON.parse(new TextDecoder().decode(ex.bytes));
    expect(doc).toEqual(flow.graph);
    const im = await call(importFlow.POST, "POST", "/api/flows/import", { as: bob, body: doc });
    expect(im.status).toBe(201);
    expect(im.body.flow.name).toBe("Exported");
    expect(im.body.flow.graph.nodes).toEqual(flow.graph.nodes);
    const wrapped = await call(importFlow.POST, "POST", "/api/flows/import", { as: bob, body: { graph: doc } });
    expect(wrapped.status).toBe(201);
  });

  it("refuses bad documents with a readable message and saves nothing", async () => {
    const before = await db.prisma.flow.count();
    const cases: Array<[unknown, RegExp]> = [
      [[1, 2], /JSON object/],
      [{ schemaVersion: 99, nodes: [] }, /newer IVR Studio/],
      [{ schemaVersion: 1, nodes: [{ id: "", kind: "start" }] }, /nodes\.0\.id/],
      [{ schemaVersion: 1 }, /nodes/],
    ];
    for (const [body, message] of cases) {
      const r = await call(importFlow.POST, "POST", "/api/flows/import", { as: bob, body });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("invalid");
      expect(r.body.message).toMatch(message);
    }
    const notJson = await call(importFlow.POST, "POST", "/api/flows/import", { as: bob, raw: "<xml/>" });
    expect(notJson.status).toBe(400);
    expect(await db.prisma.flow.count()).toBe(before);
  });
});

describe("routes and deleting flows", () => {
  it("validates patterns, refuses exact duplicates (409) and warns about number/regex overlaps", async () => {
    const flow = await newFlow("Routed");
    const post = (body: Record<string, unknown>) => call(routes.POST, "POST", "/api/routes", { as: alice, body: { flowId: flow.id, ...body } });
    const a = await post({ pattern: "5000", description: "Main line" });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ route: { pattern: "5000", flowId: flow.id, flowName: "Routed", version: null, enabled: true }, warnings: [] });
    const dup = await post({ pattern: "5000" });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe("overlap");
    const rx = await post({ pattern: "^50\\d\\d$" });
    expect(rx.status).toBe(201);
    expect(rx.body.warnings).toHaveLength(1);
    expect(rx.body.warnings[0]).toMatch(/5000/);
    const num = await post({ pattern: "5001" });
    expect(num.body.warnings[0]).toMatch(/\^50\\d\\d\$/);
    expect((await post({ pattern: "^50\\d\\d$" })).status).toBe(409);
    for (const bad of ["50 00", "^(unclosed$", "^no-dollar", "abc", ""]) {
      const r = await post({ pattern: bad });
      expect(r.status, bad).toBe(400);
    }
    expect((await post({ pattern: "6000", version: 3 })).status).toBe(400); // no such published version
    expect((await call(routes.POST, "POST", "/api/routes", { as: alice, body: { pattern: "6001", flowId: "nope" } })).status).toBe(400);
    const list = await call(routes.GET, "GET", "/api/routes", { as: bob });
    expect(list.body.routes.map((r: { pattern: string }) => r.pattern)).toEqual(["5000", "5001", "^50\\d\\d$"]);

    // Update: moving 5001 onto 5000 is a duplicate; disabling works.
    const id = num.body.route.id;
    expect((await call(routeById.PUT, "PUT", `/api/routes/${id}`, { as: alice, params: { id }, body: { pattern: "5000" } })).status).toBe(409);
    const upd = await call(routeById.PUT, "PUT", `/api/routes/${id}`, { as: alice, params: { id }, body: { enabled: false, description: "off" } });
    expect(upd.body.route).toMatchObject({ pattern: "5001", enabled: false, description: "off" });
    const viewer = await makeUser(db, "viewer");
    expect((await call(routeById.DELETE, "DELETE", `/api/routes/${id}`, { as: viewer, params: { id } })).status).toBe(403);
    expect((await call(routeById.DELETE, "DELETE", `/api/routes/${id}`, { as: alice, params: { id } })).status).toBe(204);
    expect((await call(routeById.DELETE, "DELETE", `/api/routes/${id}`, { as: alice, params: { id } })).status).toBe(404);
  });

  it("refuses to delete a flow that routes use (409 in_use), unless an admin forces it", async () => {
    const flow = await newFlow("In use");
    await call(routes.POST, "POST", "/api/routes", { as: alice, body: { pattern: "7000", flowId: flow.id } });
    const del = (who: Caller, query: string) => call(flowById.DELETE, "DELETE", `/api/flows/${flow.id}`, { as: who, params: { id: flow.id }, query });
    expect((await del(alice, "")).status).toBe(400); // needs confirm=true
    const inUse = await del(alice, "confirm=true");
    expect(inUse.status).toBe(409);
    expect(inUse.body.error).toBe("in_use");
    expect(inUse.body.routes.map((r: { pattern: string }) => r.pattern)).toEqual(["7000"]);
    expect((await del(alice, "confirm=true&force=true")).status).toBe(403);
    expect((await del(adminUser, "confirm=true&force=true")).status).toBe(204);
    expect((await call(flowById.GET, "GET", `/api/flows/${flow.id}`, { as: alice, params: { id: flow.id } })).status).toBe(404);
    expect(await db.prisma.route.count({ where: { pattern: "7000" } })).toBe(0);
    const unused = await newFlow("Unused");
    expect((await call(flowById.DELETE, "DELETE", `/api/flows/${unused.id}`, { as: alice, params: { id: unused.id }, query: "confirm=true" })).status).toBe(204);
    const list = await call(flows.GET, "GET", "/api/flows", { as: alice });
    expect(list.body.flows.map((f: { id: string }) => f.id)).not.toContain(unused.id);
  });
});

describe("prompts", () => {
  it("lists the audio files under the media folder with forward-slash relative paths", async () => {
    const media = process.env.IVR_MEDIA_DIR!;
    mkdirSync(path.join(media, "ivr", "sub"), { recursive: true });
    writeFileSync(path.join(media, "ivr", "hello.wav"), "12345");
    writeFileSync(path.join(media, "ivr", "sub", "bye.MP3"), "1");
    writeFileSync(path.join(media, "ivr", "notes.txt"), "not audio");
    writeFileSync(path.join(media, ".hidden.wav"), "x");
    expect((await call(prompts.GET, "GET", "/api/prompts")).status).toBe(401);
    const r = await call(prompts.GET, "GET", "/api/prompts", { as: bob });
    expect(r.status).toBe(200);
    expect(r.body.root).toBe(media);
    expect(r.body.files).toEqual([
      { path: "ivr/hello.wav", size: 5 },
      { path: "ivr/sub/bye.MP3", size: 1 },
    ]);
  });
});
