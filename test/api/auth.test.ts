// Accounts: first-admin setup (localhost or one-time token), login/logout, roles, CSRF, tokens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import { issueSetupToken } from "../../app/lib/server/auth/setup";
import { isLoopback } from "../../app/lib/server/auth/peer";
import * as status from "../../app/api/auth/status/route";
import * as setup from "../../app/api/auth/setup/route";
import * as login from "../../app/api/auth/login/route";
import * as logout from "../../app/api/auth/logout/route";
import * as users from "../../app/api/users/route";
import * as tokens from "../../app/api/tokens/route";
import * as tokenById from "../../app/api/tokens/[id]/route";
import * as flows from "../../app/api/flows/route";
import * as settings from "../../app/api/settings/route";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
beforeAll(async () => {
  db = await startTestDatabase();
});
afterAll(stopTestDatabase);

const admin = { email: "Admin@Example.com", name: "Ada Admin", password: "s3cret-enough" };
const cookieOf = (setCookie: string | null) => (setCookie ?? "").split(";")[0];

describe("first admin setup", () => {
  it("reports that setup is required while no user exists", async () => {
    const r = await call(status.GET, "GET", "/api/auth/status");
    expect(r.body).toEqual({ setupRequired: true, user: null, setupTokenNeeded: true });
  });

  it("refuses a remote caller without the setup token, and ignores a forged X-Forwarded-For", async () => {
    await issueSetupToken(db.prisma);
    const r = await call(setup.POST, "POST", "/api/auth/setup", { body: admin, peer: "203.0.113.9" });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe("forbidden");
    expect(r.body.message).toMatch(/setup token/);
    const req = new Request("http://localhost:3000/api/auth/setup", {
      method: "POST",
      headers: { "x-forwarded-for": "127.0.0.1", "content-type": "application/json" },
      body: JSON.stringify(admin),
    });
    expect((await setup.POST(req, undefined)).status).toBe(403);
    // A header claiming localhost without the server's secret is not believed either.
    const forged = new Request("http://localhost:3000/api/auth/setup", {
      method: "POST",
      headers: { "x-ivr-peer": "guess 127.0.0.1", "content-type": "application/json" },
      body: JSON.stringify(admin),
    });
    expect((await setup.POST(forged, undefined)).status).toBe(403);
    expect(await db.prisma.user.count()).toBe(0);
  });

  it("refuses a wrong token and accepts the token printed at start (stored only as a hash)", async () => {
    const token = await issueSetupToken(db.prisma);
    expect(token).toBeTruthy();
    const stored = await db.prisma.setting.findUnique({ where: { key: "setupTokenHash" } });
    expect(stored?.value).not.toContain(token!);
    const wrong = await call(setup.POST, "POST", "/api/auth/setup", { body: { ...admin, setupToken: "nope" }, peer: "203.0.113.9" });
    expect(wrong.status).toBe(403);
    const weak = await call(setup.POST, "POST", "/api/auth/setup", { body: { ...admin, password: "short", setupToken: token }, peer: "203.0.113.9" });
    expect(weak.status).toBe(400);
    const ok = await call(setup.POST, "POST", "/api/auth/setup", { body: { ...admin, setupToken: token }, peer: "203.0.113.9" });
    expect(ok.status).toBe(201);
    expect(ok.body.user).toMatchObject({ email: "admin@example.com", name: "Ada Admin", role: "admin" });
    const cookie = ok.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^ivr_session=[\w-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=604800/);
    // The token died with use; the password is an argon2id hash.
    expect(await db.prisma.setting.findUnique({ where: { key: "setupTokenHash" } })).toBeNull();
    const row = await db.prisma.user.findUniqueOrThrow({ where: { email: "admin@example.com" } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // The session cookie works.
    const me = await call(status.GET, "GET", "/api/auth/status", { as: { user: ok.body.user, cookie: cookieOf(cookie) } });
    expect(me.body).toEqual({ setupRequired: false, user: ok.body.user });
  });

  it("answers setup_done once an account exists, even from localhost", async () => {
    const r = await call(setup.POST, "POST", "/api/auth/setup", { body: { ...admin, email: "x@example.com" }, peer: "127.0.0.1" });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe("setup_done");
    expect(await issueSetupToken(db.prisma)).toBeUndefined();
  });

  it("knows which socket addresses are loopback", () => {
    expect(["127.0.0.1", "127.8.0.3", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["10.0.0.1", "::ffff:192.168.1.2", "1127.0.0.1", "", "::2"].some(isLoopback)).toBe(false);
  });
});

describe("login and logout", () => {
  it("rejects a wrong password and an unknown email with the same 401", async () => {
    const a = await call(login.POST, "POST", "/api/auth/login", { body: { email: admin.email, password: "wrong-password" } });
    const b = await call(login.POST, "POST", "/api/auth/login", { body: { email: "ghost@example.com", password: "wrong-password" } });
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(a.body).toEqual(b.body);
    expect(a.headers.get("set-cookie")).toBeNull();
  });

  it("logs in (email case-insensitive), and logout kills the session", async () => {
    const r = await call(login.POST, "POST", "/api/auth/login", { body: { email: "ADMIN@example.com", password: admin.password } });
    expect(r.status).toBe(200);
    const caller: Caller = { user: r.body.user, cookie: cookieOf(r.headers.get("set-cookie")) };
    expect((await call(flows.GET, "GET", "/api/flows", { as: caller })).status).toBe(200);
    const out = await call(logout.POST, "POST", "/api/auth/logout", { as: caller });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/ivr_session=;.*Max-Age=0/);
    expect((await call(flows.GET, "GET", "/api/flows", { as: caller })).status).toBe(401);
  });

  it("refuses a login posted from a foreign origin", async () => {
    const r = await call(login.POST, "POST", "/api/auth/login", { body: { email: admin.email, password: admin.password }, origin: "https://evil.example" });
    expect(r.status).toBe(403);
  });

  it("treats an expired session as anonymous", async () => {
    const caller = await makeUser(db, "editor");
    await db.prisma.session.updateMany({ where: { userId: caller.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call(flows.GET, "GET", "/api/flows", { as: caller })).status).toBe(401);
  });
});

describe("roles, CSRF and API tokens", () => {
  it("401 without credentials, 403 for a viewer writing, 403 for an editor on admin routes", async () => {
    const anon = await call(flows.POST, "POST", "/api/flows", { body: { name: "x" } });
    expect(anon.status).toBe(401);
    expect(anon.body.error).toBe("unauthenticated");
    const viewer = await makeUser(db, "viewer");
    expect((await call(flows.GET, "GET", "/api/flows", { as: viewer })).status).toBe(200);
    const v = await call(flows.POST, "POST", "/api/flows", { as: viewer, body: { name: "x" } });
    expect(v.status).toBe(403);
    expect(v.body.message).toMatch(/editor role/);
    const editor = await makeUser(db, "editor");
    expect((await call(users.GET, "GET", "/api/users", { as: editor })).status).toBe(403);
    expect((await call(settings.PUT, "PUT", "/api/settings", { as: editor, body: { httpAllowList: ["api.example.com"] } })).status).toBe(403);
    expect(await db.prisma.flow.count()).toBe(0);
  });

  it("refuses cookie-authenticated writes from another origin or without an Origin", async () => {
    const editor = await makeUser(db, "editor");
    const cross = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "x" }, origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect(cross.body.message).toMatch(/Cross-site/);
    expect((await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "x" }, origin: null })).status).toBe(403);
    expect((await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "x" } })).status).toBe(201);
  });

  it("admin creates users; users manage their own API tokens (shown once, stored hashed)", async () => {
    const adminCaller = await makeUser(db, "admin");
    const created = await call(users.POST, "POST", "/api/users", { as: adminCaller, body: { email: "ed@example.com", name: "Ed", password: "editor-pass-1", role: "editor" } });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: "ed@example.com", role: "editor" });
    const dup = await call(users.POST, "POST", "/api/users", { as: adminCaller, body: { email: "ed@example.com", name: "Ed", password: "editor-pass-1" } });
    expect(dup.status).toBe(409);
    const list = await call(users.GET, "GET", "/api/users", { as: adminCaller });
    expect(list.body.users.map((u: { email: string }) => u.email)).toContain("ed@example.com");
    expect(JSON.stringify(list.body)).not.toMatch(/argon2/);

    const editor = await makeUser(db, "editor");
    const t = await call(tokens.POST, "POST", "/api/tokens", { as: editor, body: { name: "ci" } });
    expect(t.status).toBe(201);
    expect(t.body.token).toMatch(/^ivr_/);
    expect(JSON.stringify(await db.prisma.apiToken.findMany())).not.toContain(t.body.token);
    // A bearer token authenticates without cookie or Origin, with the owner's role.
    const viaToken = await call(flows.POST, "POST", "/api/flows", { bearer: t.body.token, body: { name: "by token" } });
    expect(viaToken.status).toBe(201);
    expect(viaToken.body.flow.createdBy).toBe(editor.user.name);
    const mine = await call(tokens.GET, "GET", "/api/tokens", { as: editor });
    expect(mine.body.tokens).toHaveLength(1);
    expect(mine.body.tokens[0].lastUsedAt).not.toBeNull();
    // Another (non-admin) user cannot delete it; the owner can, and it stops working.
    const other = await makeUser(db, "editor");
    expect((await call(tokenById.DELETE, "DELETE", `/api/tokens/${t.body.id}`, { as: other, params: { id: t.body.id } })).status).toBe(404);
    expect((await call(tokenById.DELETE, "DELETE", `/api/tokens/${t.body.id}`, { as: editor, params: { id: t.body.id } })).status).toBe(204);
    expect((await call(flows.GET, "GET", "/api/flows", { bearer: t.body.token })).status).toBe(401);
  });

  it("only an admin changes the HTTP allow-list, and bad hosts are refused", async () => {
    const adminCaller = await makeUser(db, "admin");
    const bad = await call(settings.PUT, "PUT", "/api/settings", { as: adminCaller, body: { httpAllowList: ["http://x.com/path"] } });
    expect(bad.status).toBe(400);
    const ok = await call(settings.PUT, "PUT", "/api/settings", { as: adminCaller, body: { httpAllowList: ["API.example.com", "*.corp.example"] } });
    expect(ok.body).toEqual({ httpAllowList: ["api.example.com", "*.corp.example"] });
    const viewer = await makeUser(db, "viewer");
    expect((await call(settings.GET, "GET", "/api/settings", { as: viewer })).body).toEqual({ httpAllowList: ["api.example.com", "*.corp.example"] });
  });

  it("answers bad JSON with a readable 400", async () => {
    const editor = await makeUser(db, "editor");
    const r = await call(flows.POST, "POST", "/api/flows", { as: editor, raw: "{not json" });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: "invalid" });
    expect(r.body.message).toMatch(/not valid JSON/);
  });
});
