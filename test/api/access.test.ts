// Users and access: the audit log (publications, rollbacks, routes, settings, users and tokens
// each write an entry; GET /api/audit filters and pages them, admins only; the table refuses
// updates), user management, API tokens. One database for the whole file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import { recordAudit } from "../../app/lib/server/audit";
import { authenticate, watchAccess, type Auth } from "../../app/lib/server/auth/session";
import * as audit from "../../app/api/audit/route";
import * as facets from "../../app/api/audit/facets/route";
import * as flows from "../../app/api/flows/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as flowImport from "../../app/api/flows/import/route";
import * as duplicate from "../../app/api/flows/[id]/duplicate/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as rollback from "../../app/api/flows/[id]/versions/[n]/rollback/route";
import * as routes from "../../app/api/routes/route";
import * as routeById from "../../app/api/routes/[id]/route";
import * as settings from "../../app/api/settings/route";
import * as users from "../../app/api/users/route";
import * as tokens from "../../app/api/tokens/route";
import * as tokenById from "../../app/api/tokens/[id]/route";
import * as userById from "../../app/api/users/[id]/route";
import * as tempPassword from "../../app/api/users/[id]/password/route";
import * as resetLink from "../../app/api/users/[id]/reset-link/route";
import * as ownPassword from "../../app/api/auth/password/route";
import * as reset from "../../app/api/auth/reset/route";
import * as login from "../../app/api/auth/login/route";
import * as status from "../../app/api/auth/status/route";
import * as tts from "../../app/api/prompts/tts/route";
import * as promptByName from "../../app/api/prompts/[name]/route";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
let admin: Caller;
let editor: Caller;
let viewer: Caller;
beforeAll(async () => {
  db = await startTestDatabase();
  admin = await makeUser(db, "admin", "Ada Admin");
  editor = await makeUser(db, "editor", "Eve Editor");
  viewer = await makeUser(db, "viewer", "Vic Viewer");
});
afterAll(stopTestDatabase);

const log = async (query: string, as: Caller = admin) => {
  const r = await call(audit.GET, "GET", "/api/audit", { as, query });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { entries: any[]; nextCursor: string | null };
};
const latest = async (action: string) => (await log(`action=${action}&limit=1`)).entries[0];

describe("audit entries", () => {
  let flowId = "";
  let routeId = "";

  it("records a publication and a rollback with the flow, the version and the actor", async () => {
    const created = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "Audited", template: "main-menu" } });
    flowId = created.body.flow.id;
    const params = { id: flowId };
    expect((await call(publish.POST, "POST", `/api/flows/${flowId}/publish`, { as: editor, params, body: { note: "first", publishAnyway: true } })).status).toBe(201);
    expect((await call(publish.POST, "POST", `/api/flows/${flowId}/publish`, { as: editor, params, body: { note: "second", publishAnyway: true } })).status).toBe(201);
    const pub = await latest("flow.publish");
    expect(pub).toMatchObject({
      actorId: editor.user.id,
      actor: editor.user.email,
      via: "cookie",
      action: "flow.publish",
      targetType: "flow",
      targetId: flowId,
      target: "Audited",
      details: { version: 2, note: "second" },
    });
    expect(Date.parse(pub.at)).not.toBeNaN();
    const rb = await call(rollback.POST, "POST", `/api/flows/${flowId}/versions/1/rollback`, { as: editor, params: { id: flowId, n: "1" }, body: {} });
    expect(rb.status).toBe(201);
    expect(await latest("flow.rollback")).toMatchObject({ actorId: editor.user.id, targetId: flowId, details: { to: 1, version: 3 } });
  });

  it("records route creation, each changed field of an update, and deletion", async () => {
    const r = await call(routes.POST, "POST", "/api/routes", { as: editor, body: { pattern: "5550100", flowId } });
    expect(r.status).toBe(201);
    routeId = r.body.route.id;
    expect(await latest("route.create")).toMatchObject({ targetType: "route", targetId: routeId, target: "5550100", details: { flowId, flow: "Audited", enabled: true } });
    const u = await call(routeById.PUT, "PUT", `/api/routes/${routeId}`, { as: editor, params: { id: routeId }, body: { enabled: false, version: 1 } });
    expect(u.status).toBe(200);
    expect((await latest("route.update")).details).toEqual({ changes: { enabled: { from: true, to: false }, version: { from: null, to: 1 } } });
    expect((await call(routeById.DELETE, "DELETE", `/api/routes/${routeId}`, { as: editor, params: { id: routeId } })).status).toBe(204);
    expect(await latest("route.delete")).toMatchObject({ targetId: routeId, target: "5550100", details: { flowId, version: 1 } });
  });

  it("records a settings change with the value before and after", async () => {
    expect((await call(settings.PUT, "PUT", "/api/settings", { as: admin, body: { httpAllowList: ["api.example.com"] } })).status).toBe(200);
    expect(await latest("settings.update")).toMatchObject({ actorId: admin.user.id, targetType: "settings", details: { from: [], to: ["api.example.com"] } });
  });

  it("records user creation and token creation/revocation, never the secret", async () => {
    const u = await call(users.POST, "POST", "/api/users", { as: admin, body: { email: "new@example.com", name: "New", password: "long enough pw", role: "viewer" } });
    expect(u.status).toBe(201);
    const created = await latest("user.create");
    expect(created).toMatchObject({ targetType: "user", targetId: u.body.user.id, target: "new@example.com", details: { role: "viewer" } });
    expect(JSON.stringify(created)).not.toContain("long enough pw");
    const t = await call(tokens.POST, "POST", "/api/tokens", { as: editor, body: { name: "CI" } });
    expect(t.status).toBe(201);
    const minted = await latest("token.create");
    expect(minted).toMatchObject({ actorId: editor.user.id, targetId: t.body.id, target: "CI", details: { role: "editor", expiresAt: t.body.expiresAt } });
    expect(JSON.stringify(minted)).not.toContain(t.body.token);
    // An action taken with the token names the token.
    const byToken = await call(routes.POST, "POST", "/api/routes", { bearer: t.body.token, body: { pattern: "5550199", flowId } });
    expect(byToken.status).toBe(201);
    expect(await latest("route.create")).toMatchObject({ actorId: editor.user.id, via: "token", details: { token: "CI" } });
    expect((await call(tokenById.DELETE, "DELETE", `/api/tokens/${t.body.id}`, { as: editor, params: { id: t.body.id } })).status).toBe(204);
    expect(await latest("token.revoke")).toMatchObject({ targetId: t.body.id, target: "CI", details: { owner: editor.user.email } });
  });
});

describe("audit entries for flows", () => {
  it("records a flow's creation, import, duplication and deletion", async () => {
    const created = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "Made here", template: "main-menu" } });
    expect(created.status).toBe(201);
    expect(await latest("flow.create")).toMatchObject({ actorId: editor.user.id, targetType: "flow", targetId: created.body.flow.id, target: "Made here", details: { template: "main-menu" } });
    const imported = await call(flowImport.POST, "POST", "/api/flows/import", { as: editor, body: { name: "Brought in", graph: created.body.flow.graph } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(await latest("flow.import")).toMatchObject({ targetId: imported.body.flow.id, target: "Brought in", details: { nodes: created.body.flow.graph.nodes.length } });
    const copy = await call(duplicate.POST, "POST", `/api/flows/${created.body.flow.id}/duplicate`, { as: editor, params: { id: created.body.flow.id } });
    expect(copy.status).toBe(201);
    expect(await latest("flow.duplicate")).toMatchObject({ targetId: copy.body.flow.id, details: { from: created.body.flow.id } });
    const del = await call(flowById.DELETE, "DELETE", `/api/flows/${copy.body.flow.id}`, { as: editor, params: { id: copy.body.flow.id }, query: "confirm=true" });
    expect(del.status).toBe(204);
    expect(await latest("flow.delete")).toMatchObject({ actorId: editor.user.id, targetId: copy.body.flow.id, target: copy.body.flow.name });
  });
});

describe("audit entries for prompts", () => {
  it("records a TTS prompt's creation and its deletion", async () => {
    const saved = await call(tts.POST, "POST", "/api/prompts/tts", { as: editor, body: { name: "audit_tts", text: "Hello.", engine: "flite", voice: "slt" } });
    expect(saved.status).toBe(201);
    expect(await latest("prompt.create")).toMatchObject({ actorId: editor.user.id, targetType: "prompt", target: "audit_tts", details: { source: "tts", engine: "flite", voice: "slt", replaced: false } });
    expect((await call(promptByName.DELETE, "DELETE", "/api/prompts/audit_tts", { as: editor, params: { name: "audit_tts" } })).status).toBe(204);
    expect(await latest("prompt.delete")).toMatchObject({ actorId: editor.user.id, target: "audit_tts" });
  });
});

describe("GET /api/audit", () => {
  it("is for admins only, and refuses anonymous callers", async () => {
    expect((await call(audit.GET, "GET", "/api/audit")).status).toBe(401);
    for (const who of [viewer, editor]) {
      const r = await call(audit.GET, "GET", "/api/audit", { as: who });
      expect(r.status).toBe(403);
      expect(r.body.error).toBe("forbidden");
    }
    expect((await call(facets.GET, "GET", "/api/audit/facets", { as: editor })).status).toBe(403);
  });

  it("filters by actor (id or email), by action or its noun, and by time", async () => {
    const byEditor = await log(`actor=${editor.user.id}&limit=200`);
    expect(byEditor.entries.length).toBeGreaterThan(5);
    expect(byEditor.entries.every((e) => e.actorId === editor.user.id)).toBe(true);
    const byEmail = await log(`actor=${encodeURIComponent(editor.user.email.toUpperCase())}&limit=200`);
    expect(byEmail.entries.map((e) => e.id)).toEqual(byEditor.entries.map((e) => e.id));
    const routeActions = (await log("action=route")).entries.map((e) => e.action);
    expect(new Set(routeActions)).toEqual(new Set(["route.create", "route.update", "route.delete"]));
    // Time window: entries stamped at pinned instants.
    const t0 = new Date("2031-01-01T10:00:00Z");
    await db.prisma.auditLog.create({ data: { at: t0, action: "cluster.drain", target: "node-a" } });
    await db.prisma.auditLog.create({ data: { at: new Date("2031-01-01T12:00:00Z"), action: "cluster.drain", target: "node-b" } });
    const window = await log("since=2031-01-01T09:00:00Z&until=2031-01-01T11:00:00Z");
    expect(window.entries.map((e) => e.target)).toEqual(["node-a"]);
    const bad = await call(audit.GET, "GET", "/api/audit", { as: admin, query: "since=yesterday" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/ISO 8601/);
    const f = await call(facets.GET, "GET", "/api/audit/facets", { as: admin });
    expect(f.body.actions).toContain("cluster.drain");
    expect(f.body.actors).toContain(editor.user.email);
  });

  it("pages newest first without gaps or repeats", async () => {
    const all = (await log("limit=200")).entries.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { entries: any[]; nextCursor: string | null } = await log(`limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.entries.length).toBeLessThanOrEqual(3);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect(all.map(Number)).toEqual([...all.map(Number)].sort((a, b) => b - a));
  });
});

describe("API tokens", () => {
  const mint = (as: Caller, body: Record<string, unknown>) => call(tokens.POST, "POST", "/api/tokens", { as, body });
  const asToken = (token: string) => call(flows.POST, "POST", "/api/flows", { bearer: token, body: { name: "by token" } });

  it("have an expiry (default 90 days, 1-366), shown in the list, and expired tokens are refused", async () => {
    const t = await mint(editor, { name: "short", expiresInDays: 1 });
    expect(t.status).toBe(201);
    const days = (Date.parse(t.body.expiresAt) - Date.parse(t.body.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(1, 3);
    const d = await mint(editor, { name: "default" });
    expect((Date.parse(d.body.expiresAt) - Date.parse(d.body.createdAt)) / 86_400_000).toBeCloseTo(90, 3);
    for (const bad of [0, 367, 1.5, "7"]) {
      const r = await mint(editor, { name: "bad", expiresInDays: bad });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/expiresInDays/);
    }
    expect((await asToken(t.body.token)).status).toBe(201);
    const listed = (await call(tokens.GET, "GET", "/api/tokens", { as: editor })).body.tokens.find((x: any) => x.id === t.body.id);
    expect(listed).toMatchObject({ name: "short", expiresAt: t.body.expiresAt, expired: false, role: null });
    expect(listed.lastUsedAt).not.toBeNull();
    // Expire it (as the clock would) and it stops working, with a 401 that says so.
    await db.prisma.apiToken.update({ where: { id: t.body.id }, data: { expiresAt: new Date(Date.parse(listed.createdAt) - 1000) } });
    const refused = await asToken(t.body.token);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/expired/);
    const after = (await call(tokens.GET, "GET", "/api/tokens", { as: editor })).body.tokens.find((x: any) => x.id === t.body.id);
    expect(after.expired).toBe(true);
  });

  it("carry the owner's role, or a lower one, never more", async () => {
    const up = await mint(editor, { name: "admin please", role: "admin" });
    expect(up.status).toBe(403);
    expect(up.body.message).toMatch(/more rights than its owner/);
    const low = await mint(editor, { name: "read only", role: "viewer" });
    expect(low.status).toBe(201);
    expect(low.body.role).toBe("viewer");
    expect((await asToken(low.body.token)).status).toBe(403);
    expect((await call(flows.GET, "GET", "/api/flows", { bearer: low.body.token })).status).toBe(200);
    // An admin's viewer token cannot do admin things either.
    const adminView = await mint(admin, { name: "admin viewer", role: "viewer" });
    expect((await call(users.GET, "GET", "/api/users", { bearer: adminView.body.token })).status).toBe(403);
    // The owner's current role always caps the token: demoted owner, demoted token.
    const full = await mint(editor, { name: "full" });
    expect((await asToken(full.body.token)).status).toBe(201);
    await db.prisma.user.update({ where: { id: editor.user.id }, data: { role: "viewer" } });
    try {
      expect((await asToken(full.body.token)).status).toBe(403);
    } finally {
      await db.prisma.user.update({ where: { id: editor.user.id }, data: { role: "editor" } });
    }
  });

  it("cannot be minted with another token, and other users' tokens are the admin's business only", async () => {
    const t = await mint(editor, { name: "ci" });
    const viaToken = await call(tokens.POST, "POST", "/api/tokens", { bearer: t.body.token, body: { name: "child" } });
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.message).toMatch(/signed-in person/);
    expect((await call(tokens.GET, "GET", "/api/tokens", { as: viewer, query: "all=1" })).status).toBe(403);
    expect((await call(tokens.GET, "GET", "/api/tokens", { as: viewer, query: `userId=${editor.user.id}` })).status).toBe(403);
    const all = await call(tokens.GET, "GET", "/api/tokens", { as: admin, query: "all=1" });
    expect(all.body.tokens.find((x: any) => x.id === t.body.id).owner).toMatchObject({ id: editor.user.id, email: editor.user.email });
    expect(JSON.stringify(all.body)).not.toContain(t.body.token);
    // Nobody but the owner and an admin may revoke it.
    expect((await call(tokenById.DELETE, "DELETE", `/api/tokens/${t.body.id}`, { as: viewer, params: { id: t.body.id } })).status).toBe(404);
    expect((await call(tokenById.DELETE, "DELETE", `/api/tokens/${t.body.id}`, { as: admin, params: { id: t.body.id } })).status).toBe(204);
    expect((await asToken(t.body.token)).status).toBe(401);
    expect(await latest("token.revoke")).toMatchObject({ actorId: admin.user.id, target: "ci", details: { owner: editor.user.email } });
  });
});

describe("users", () => {
  const PASSWORD = "correct horse battery"; // makeUser's
  const patch = (as: Caller, id: string, body: unknown) => call(userById.PATCH, "PATCH", `/api/users/${id}`, { as, params: { id }, body });
  const remove = (as: Caller, id: string) => call(userById.DELETE, "DELETE", `/api/users/${id}`, { as, params: { id } });
  const signIn = async (email: string, password: string) => {
    const r = await call(login.POST, "POST", "/api/auth/login", { body: { email, password }, origin: null });
    return { ...r, caller: { user: r.body.user, cookie: (r.headers.get("set-cookie") ?? "").split(";")[0] } as Caller };
  };
  const works = async (c: { as?: Caller; bearer?: string }) => (await call(flows.GET, "GET", "/api/flows", c)).status;
  const mintFor = async (c: Caller) => (await call(tokens.POST, "POST", "/api/tokens", { as: c, body: { name: "ci" } })).body.token as string;

  it("refuses anonymous callers, viewers and editors", async () => {
    const target = await makeUser(db, "editor");
    const id = target.user.id;
    const ops = [
      (as?: Caller) => call(userById.PATCH, "PATCH", `/api/users/${id}`, { as, params: { id }, body: { role: "admin" } }),
      (as?: Caller) => call(userById.DELETE, "DELETE", `/api/users/${id}`, { as, params: { id } }),
      (as?: Caller) => call(tempPassword.POST, "POST", `/api/users/${id}/password`, { as, params: { id }, body: { password: "temporary-1" } }),
      (as?: Caller) => call(resetLink.POST, "POST", `/api/users/${id}/reset-link`, { as, params: { id }, body: {} }),
      (as?: Caller) => call(users.POST, "POST", "/api/users", { as, body: { email: "x@example.com", name: "X", password: "long enough" } }),
    ];
    for (const op of ops) {
      expect((await op()).status).toBe(401);
      expect((await op(viewer)).status).toBe(403);
      expect((await op(editor)).status).toBe(403);
    }
    expect((await call(tokens.POST, "POST", "/api/tokens", { body: { name: "anon" } })).status).toBe(401);
    expect((await call(ownPassword.POST, "POST", "/api/auth/password", { body: { currentPassword: "a", newPassword: "bbbbbbbbbb" } })).status).toBe(401);
    expect(await db.prisma.user.findUnique({ where: { id } })).toMatchObject({ role: "editor", disabledAt: null });
  });

  it("changes a role (audited) and the change holds for the user's session and tokens at once", async () => {
    const u = await makeUser(db, "editor");
    const token = await mintFor(u);
    const r = await patch(admin, u.user.id, { role: "viewer" });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ id: u.user.id, role: "viewer", disabled: false });
    expect(await latest("user.role_change")).toMatchObject({ actorId: admin.user.id, targetId: u.user.id, target: u.user.email, details: { from: "editor", to: "viewer" } });
    expect((await call(flows.POST, "POST", "/api/flows", { as: u, body: { name: "x" } })).status).toBe(403);
    expect((await call(flows.POST, "POST", "/api/flows", { bearer: token, body: { name: "x" } })).status).toBe(403);
    const bad = await patch(admin, u.user.id, { role: "owner" });
    expect(bad.status).toBe(400);
    expect((await patch(admin, "nope", { role: "viewer" })).status).toBe(404);
    expect((await patch(admin, u.user.id, {})).status).toBe(400);
  });

  it("disables an account: its sessions and tokens stop at once, sign-in is refused; enabling restores the tokens", async () => {
    const u = await makeUser(db, "editor");
    const token = await mintFor(u);
    expect(await works({ as: u })).toBe(200);
    expect(await works({ bearer: token })).toBe(200);
    const r = await patch(admin, u.user.id, { disabled: true });
    expect(r.status).toBe(200);
    expect(r.body.user.disabled).toBe(true);
    const byCookie = await call(flows.GET, "GET", "/api/flows", { as: u });
    expect(byCookie.status).toBe(401);
    const byToken = await call(flows.GET, "GET", "/api/flows", { bearer: token });
    expect(byToken.status).toBe(401);
    expect(byToken.body.message).toMatch(/disabled/);
    expect(await db.prisma.session.count({ where: { userId: u.user.id } })).toBe(0);
    const signIn1 = await signIn(u.user.email, PASSWORD);
    expect(signIn1.status).toBe(403);
    expect(signIn1.body.message).toMatch(/disabled/);
    expect(await latest("user.disable")).toMatchObject({ actorId: admin.user.id, targetId: u.user.id });
    expect((await patch(admin, u.user.id, { disabled: false })).body.user.disabled).toBe(false);
    expect(await latest("user.enable")).toMatchObject({ targetId: u.user.id });
    expect(await works({ bearer: token })).toBe(200);
    expect(await works({ as: u })).toBe(401); // the old session is gone for good
    expect((await signIn(u.user.email, PASSWORD)).status).toBe(200);
  });

  it("deletes an account with its sessions and tokens (audited); never yourself", async () => {
    const u = await makeUser(db, "viewer");
    const token = await mintFor(u);
    expect((await remove(admin, u.user.id)).status).toBe(204);
    expect(await works({ bearer: token })).toBe(401);
    expect(await works({ as: u })).toBe(401);
    expect(await db.prisma.apiToken.count({ where: { userId: u.user.id } })).toBe(0);
    expect(await latest("user.delete")).toMatchObject({ actorId: admin.user.id, targetId: u.user.id, target: u.user.email, details: { role: "viewer" } });
    expect((await remove(admin, u.user.id)).status).toBe(404);
    const a2 = await makeUser(db, "admin");
    const self = await remove(a2, a2.user.id);
    expect(self.status).toBe(400);
    expect(self.body.message).toMatch(/your own account/);
    expect((await remove(admin, a2.user.id)).status).toBe(204);
  });

  it("never leaves no active admin: the last one cannot be demoted, disabled or deleted", async () => {
    const admins = await db.prisma.user.findMany({ where: { role: "admin", disabledAt: null } });
    expect(admins.map((a) => a.id)).toEqual([admin.user.id]);
    for (const r of [await patch(admin, admin.user.id, { role: "editor" }), await patch(admin, admin.user.id, { disabled: true }), await remove(admin, admin.user.id)]) {
      expect(r.status).toBe(409);
      expect(r.body.error).toBe("last_admin");
      expect(r.body.message).toMatch(/last active admin/);
    }
    // A disabled admin does not count.
    const off = await makeUser(db, "admin");
    expect((await patch(admin, off.user.id, { disabled: true })).status).toBe(200);
    expect((await patch(admin, admin.user.id, { role: "editor" })).status).toBe(409);
    // Two admins deleting each other at once: exactly one wins.
    const [a2, a3] = [await makeUser(db, "admin"), await makeUser(db, "admin")];
    await db.prisma.user.update({ where: { id: admin.user.id }, data: { disabledAt: new Date("2026-01-01T00:00:00Z") } });
    try {
      const both = await Promise.all([remove(a2, a3.user.id), remove(a3, a2.user.id)]);
      expect(both.map((r) => r.status).sort()).toEqual([204, 409]);
      expect(await db.prisma.user.count({ where: { role: "admin", disabledAt: null } })).toBe(1);
    } finally {
      await db.prisma.user.update({ where: { id: admin.user.id }, data: { disabledAt: null } });
    }
    expect(await works({ as: admin })).toBe(200);
  });

  it("a temporary password ends the user's sessions and must be changed before anything else", async () => {
    const u = await makeUser(db, "editor");
    const weak = await call(tempPassword.POST, "POST", `/api/users/${u.user.id}/password`, { as: admin, params: { id: u.user.id }, body: { password: "short" } });
    expect(weak.status).toBe(400);
    const r = await call(tempPassword.POST, "POST", `/api/users/${u.user.id}/password`, { as: admin, params: { id: u.user.id }, body: { password: "temporary-123" } });
    expect(r.status).toBe(204);
    expect(await works({ as: u })).toBe(401);
    expect(await latest("user.temporary_password")).toMatchObject({ actorId: admin.user.id, targetId: u.user.id, details: null });
    expect(JSON.stringify(await log("limit=5"))).not.toContain("temporary-123");
    const s = await signIn(u.user.email, "temporary-123");
    expect(s.status).toBe(200);
    expect(s.body.passwordChangeRequired).toBe(true);
    const blocked = await call(flows.GET, "GET", "/api/flows", { as: s.caller });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toBe("password_change_required");
    expect((await call(status.GET, "GET", "/api/auth/status", { as: s.caller })).body).toMatchObject({ user: { id: u.user.id }, passwordChangeRequired: true });
    const change = (currentPassword: string, newPassword: string) => call(ownPassword.POST, "POST", "/api/auth/password", { as: s.caller, body: { currentPassword, newPassword } });
    expect((await change("wrong-one-123", "brand-new-pass")).body.message).toMatch(/current password is wrong/);
    expect((await change("temporary-123", "temporary-123")).status).toBe(400);
    expect((await change("temporary-123", "brand-new-pass")).status).toBe(204);
    expect(await works({ as: s.caller })).toBe(200);
    expect((await signIn(u.user.email, "brand-new-pass")).body.passwordChangeRequired).toBeUndefined();
    expect(await latest("auth.password_change")).toMatchObject({ actorId: u.user.id, targetId: u.user.id });
  });

  it("changing your own password ends your other sessions, keeps this one", async () => {
    const u = await makeUser(db, "viewer");
    const other = (await signIn(u.user.email, PASSWORD)).caller;
    expect(await works({ as: other })).toBe(200);
    const r = await call(ownPassword.POST, "POST", "/api/auth/password", { as: u, body: { currentPassword: PASSWORD, newPassword: "another-long-one" } });
    expect(r.status).toBe(204);
    expect(await works({ as: u })).toBe(200);
    expect(await works({ as: other })).toBe(401);
    expect((await signIn(u.user.email, PASSWORD)).status).toBe(401);
    expect((await signIn(u.user.email, "another-long-one")).status).toBe(200);
  });

  it("a one-time reset link (with expiry) sets a new password once, and ends every session", async () => {
    const u = await makeUser(db, "editor");
    const issue = (body: unknown) => call(resetLink.POST, "POST", `/api/users/${u.user.id}/reset-link`, { as: admin, params: { id: u.user.id }, body });
    expect((await issue({ expiresInHours: 0 })).status).toBe(400);
    expect((await issue({ expiresInHours: 169 })).status).toBe(400);
    const r = await issue({ expiresInHours: 2 });
    expect(r.status).toBe(201);
    expect(r.body.url).toMatch(/^http:\/\/localhost:3000\/reset-password#token=[\w-]{40,}$/);
    const token = r.body.url.split("#token=")[1];
    const row = await db.prisma.passwordReset.findFirstOrThrow({ where: { userId: u.user.id } });
    expect(Date.parse(r.body.expiresAt) - row.createdAt.getTime()).toBeCloseTo(2 * 3600_000, -3);
    expect(JSON.stringify(await db.prisma.passwordReset.findMany())).not.toContain(token);
    const entry = await latest("user.reset_link");
    expect(entry).toMatchObject({ actorId: admin.user.id, targetId: u.user.id, details: { expiresAt: r.body.expiresAt } });
    expect(JSON.stringify(entry)).not.toContain(token);
    expect((await call(reset.GET, "GET", "/api/auth/reset", { query: `token=${token}` })).body).toEqual({ email: u.user.email, expiresAt: r.body.expiresAt });
    const use = (password: string, t = token) => call(reset.POST, "POST", "/api/auth/reset", { body: { token: t, password }, origin: null });
    expect((await use("short")).status).toBe(400);
    const ok = await use("reset-password-1");
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ id: u.user.id });
    expect(await works({ as: u })).toBe(401);
    expect(await works({ as: { user: u.user, cookie: (ok.headers.get("set-cookie") ?? "").split(";")[0] } })).toBe(200);
    expect((await use("reset-password-2")).status).toBe(404);
    expect((await signIn(u.user.email, "reset-password-1")).status).toBe(200);
    expect(await latest("auth.password_reset")).toMatchObject({ actorId: u.user.id, targetId: u.user.id });
    // An expired link is refused, and says so; a newer link replaces an older one.
    const old = (await issue({})).body.url.split("#token=")[1];
    const late = (await issue({ expiresInHours: 1 })).body.url.split("#token=")[1];
    expect((await use("reset-password-3", old)).status).toBe(404);
    await db.prisma.passwordReset.updateMany({ where: { userId: u.user.id }, data: { expiresAt: new Date(row.createdAt.getTime() - 1000) } });
    const expired = await use("reset-password-3", late);
    expect(expired.status).toBe(404);
    expect(expired.body.message).toMatch(/expired/);
  });
});

describe("long-lived answers (event streams) end when access is revoked", () => {
  const authOf = async (c: { cookie?: string; bearer?: string }) =>
    (await authenticate(new Request("http://localhost:3000/api/calls/live/events", { headers: { host: "localhost:3000", ...(c.cookie ? { cookie: c.cookie } : {}), ...(c.bearer ? { authorization: `Bearer ${c.bearer}` } : {}) } })))!;
  const watch = (auth: Auth) => {
    const w = { revoked: 0 };
    watchAccess(auth, () => w.revoked++);
    return w;
  };

  it("on disable, role change and token revocation, for that user or credential only", async () => {
    const u = await makeUser(db, "editor");
    const bystander = watch(await authOf(viewer));
    const t = await call(tokens.POST, "POST", "/api/tokens", { as: u, body: { name: "stream" } });
    const t2 = await call(tokens.POST, "POST", "/api/tokens", { as: u, body: { name: "other" } });
    const byToken = watch(await authOf({ bearer: t.body.token }));
    const byOtherToken = watch(await authOf({ bearer: t2.body.token }));
    expect((await call(tokenById.DELETE, "DELETE", `/api/tokens/${t.body.id}`, { as: u, params: { id: t.body.id } })).status).toBe(204);
    expect([byToken.revoked, byOtherToken.revoked]).toEqual([1, 0]);
    const bySession = watch(await authOf(u));
    await call(userById.PATCH, "PATCH", `/api/users/${u.user.id}`, { as: admin, params: { id: u.user.id }, body: { role: "viewer" } });
    expect([bySession.revoked, byOtherToken.revoked]).toEqual([1, 1]);
    const again = watch(await authOf({ bearer: t2.body.token }));
    await call(userById.PATCH, "PATCH", `/api/users/${u.user.id}`, { as: admin, params: { id: u.user.id }, body: { disabled: true } });
    expect(again.revoked).toBe(1);
    expect(bystander.revoked).toBe(0);
  });

  it("on a password change: the user's other sessions, not this one", async () => {
    const u = await makeUser(db, "viewer");
    const other = await call(login.POST, "POST", "/api/auth/login", { body: { email: u.user.email, password: "correct horse battery" }, origin: null });
    const here = watch(await authOf(u));
    const there = watch(await authOf({ cookie: (other.headers.get("set-cookie") ?? "").split(";")[0] }));
    expect((await call(ownPassword.POST, "POST", "/api/auth/password", { as: u, body: { currentPassword: "correct horse battery", newPassword: "a new long one" } })).status).toBe(204);
    expect([here.revoked, there.revoked]).toEqual([0, 1]);
  });
});

describe("recordAudit", () => {
  it("takes actions as noun.verb and keeps oversized details out", async () => {
    await expect(recordAudit(null, { action: "Bad Action" }, db.prisma)).rejects.toThrow(/noun\.verb/);
    await recordAudit({ user: admin.user, via: "cookie" }, { action: "gateway.create", target: { type: "gateway", id: "g1", label: "carrier" }, details: { blob: "x".repeat(20_000) } });
    const e = await latest("gateway.create");
    expect(e).toMatchObject({ actor: admin.user.email, target: "carrier", details: { truncated: true } });
  });

  it("is append-only in the database itself", async () => {
    const row = await db.prisma.auditLog.findFirstOrThrow({ where: { action: "gateway.create" } });
    await expect(db.prisma.auditLog.update({ where: { id: row.id }, data: { action: "gateway.delete" } })).rejects.toThrow(/cannot be changed/);
  });
});
