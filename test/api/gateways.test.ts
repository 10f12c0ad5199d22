// Gateways, SIP users and outbound limits through the API: admin only, passwords encrypted at
// rest (AES-256-GCM) and never returned, "unchanged" unless given, clear 400/409 on bad input;
// the runtime's view (loadOutboundConfig) gets them decrypted; the key file is created 0600.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as gateways from "../../app/api/gateways/route";
import * as gateway from "../../app/api/gateways/[id]/route";
import * as sipUsers from "../../app/api/sip-users/route";
import * as sipUser from "../../app/api/sip-users/[id]/route";
import * as outbound from "../../app/api/outbound/route";
import { loadOutboundConfig, outboundFingerprint } from "../../app/lib/server/gateways/store";
import { decryptSecret, encryptSecret, secretKey, SecretKeyError } from "../../app/lib/server/secrets";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
let admin: Caller;
let editor: Caller;
const KEY = "ab".repeat(32);
const savedKey = process.env.IVR_SECRET_KEY;

beforeAll(async () => {
  process.env.IVR_SECRET_KEY = KEY;
  db = await startTestDatabase();
  admin = await makeUser(db, "admin");
  editor = await makeUser(db, "editor");
}, 90_000);

afterAll(async () => {
  if (savedKey === undefined) delete process.env.IVR_SECRET_KEY;
  else process.env.IVR_SECRET_KEY = savedKey;
  await stopTestDatabase();
});

const SECRET = "trunk-secret-0042";

describe("gateways", () => {
  let id = "";
  it("an admin creates one; the password is stored encrypted and answered only as 'set'", async () => {
    const r = await call(gateways.POST, "POST", "/api/gateways", {
      as: admin,
      body: { name: "carrier", host: "GW.example.net", port: 5080, username: "acct", password: SECRET, allow: ["1NXXNXXXXXX", "1NXXNXXXXXX"], ping: 30, pingMin: 2, pingMax: 3 },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    id = r.body.gateway.id;
    expect(r.body.gateway).toMatchObject({ name: "carrier", host: "gw.example.net", port: 5080, password: "set", allow: ["1NXXNXXXXXX"], ping: 30, pingMin: 2, pingMax: 3 });
    expect(JSON.stringify(r.body)).not.toContain(SECRET);
    const row = await db.prisma.sipGateway.findUniqueOrThrow({ where: { id } });
    expect(row.passwordCipher).toMatch(/^v1:/);
    expect(row.passwordCipher).not.toContain(SECRET);
    expect(decryptSecret(row.passwordCipher!)).toBe(SECRET);
    const list = await call(gateways.GET, "GET", "/api/gateways", { as: admin });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    expect(JSON.stringify(list.body)).not.toContain(row.passwordCipher);
    expect(list.body.gateways[0]).toMatchObject({ name: "carrier", password: "set", state: null });
  });

  it("editors can neither list nor change them", async () => {
    expect((await call(gateways.GET, "GET", "/api/gateways", { as: editor })).status).toBe(403);
    expect((await call(gateways.POST, "POST", "/api/gateways", { as: editor, body: { name: "x", host: "h" } })).status).toBe(403);
    expect((await call(gateway.PUT, "PUT", `/api/gateways/${id}`, { as: editor, params: { id }, body: { host: "evil.example" } })).status).toBe(403);
    expect((await call(gateway.DELETE, "DELETE", `/api/gateways/${id}`, { as: editor, params: { id } })).status).toBe(403);
  });

  it("an edit without password leaves it unchanged; null removes it", async () => {
    const before = (await db.prisma.sipGateway.findUniqueOrThrow({ where: { id } })).passwordCipher;
    const r = await call(gateway.PUT, "PUT", `/api/gateways/${id}`, { as: admin, params: { id }, body: { maxCalls: 5, callsPerMinute: 30 } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.gateway).toMatchObject({ maxCalls: 5, callsPerMinute: 30, password: "set" });
    expect((await db.prisma.sipGateway.findUniqueOrThrow({ where: { id } })).passwordCipher).toBe(before);
    const audit = await db.prisma.auditLog.findMany({ where: { targetType: "gateway" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, a.target, (a.details as { password?: string }).password])).toEqual([
      ["gateway.create", "carrier", "set"],
      ["gateway.update", "carrier", "unchanged"],
    ]);
    expect(JSON.stringify(audit.map((a) => a.details))).not.toContain(SECRET);
    const cleared = await call(gateway.PUT, "PUT", `/api/gateways/${id}`, { as: admin, params: { id }, body: { password: null } });
    expect(cleared.body.gateway.password).toBe("unset");
    await call(gateway.PUT, "PUT", `/api/gateways/${id}`, { as: admin, params: { id }, body: { password: SECRET } });
  });

  it.each([
    [{ name: "bad name!", host: "h" }, /name/],
    [{ name: "g1", host: "h h" }, /host/],
    [{ name: "g1", host: "h", allow: ["1NX?"] }, /allow\[0\]/],
    [{ name: "g1", host: "h", ping: 3 }, /at least 5/],
    [{ name: "g1", host: "h", pingMin: 3, pingMax: 2 }, /never be up/],
    [{ name: "g1", host: "h", register: true }, /register needs/],
    [{ name: "g1", host: "h", username: "u", password: "short" }, /8 to 128/],
    [{ name: "g1", host: "h", username: "u", password: "line\r\nbreak!" }, /control/],
    [{ name: "g1", host: "h", username: "u\r\nX-Evil: 1" }, /username/],
  ])("refuses %j with 400", async (body, message) => {
    const r = await call(gateways.POST, "POST", "/api/gateways", { as: admin, body });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(message);
  });

  it("a second gateway with the same name is 409", async () => {
    const r = await call(gateways.POST, "POST", "/api/gateways", { as: admin, body: { name: "carrier", host: "other.example" } });
    expect(r.status).toBe(409);
  });
});

describe("SIP users and limits", () => {
  it("users: created with a password never shown, refused when short or taken", async () => {
    const r = await call(sipUsers.POST, "POST", "/api/sip-users", { as: admin, body: { number: "1000", name: "Front desk", password: "desk-secret-1000" } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.user).toMatchObject({ number: "1000", name: "Front desk", password: "set" });
    expect((await call(sipUsers.POST, "POST", "/api/sip-users", { as: admin, body: { number: "1000", password: "another-secret" } })).status).toBe(409);
    expect((await call(sipUsers.POST, "POST", "/api/sip-users", { as: admin, body: { number: "1001", password: "short" } })).status).toBe(400);
    expect((await call(sipUsers.POST, "POST", "/api/sip-users", { as: editor, body: { number: "1002", password: "desk-secret-1002" } })).status).toBe(403);
    const list = await call(sipUsers.GET, "GET", "/api/sip-users", { as: admin });
    expect(JSON.stringify(list.body)).not.toContain("desk-secret");
    const id = r.body.user.id;
    const renamed = await call(sipUser.PUT, "PUT", `/api/sip-users/${id}`, { as: admin, params: { id }, body: { name: "Lobby" } });
    expect(renamed.body.user.name).toBe("Lobby");
  });

  it("limits: anyone signed in reads names and limits, only an admin changes the limits", async () => {
    const r = await call(outbound.GET, "GET", "/api/outbound", { as: editor });
    expect(r.body).toEqual({ gateways: ["carrier"], users: ["1000"], limits: { maxCalls: 20, callsPerMinute: 60 } });
    expect((await call(outbound.PUT, "PUT", "/api/outbound", { as: editor, body: { limits: { maxCalls: 1, callsPerMinute: 1 } } })).status).toBe(403);
    expect((await call(outbound.PUT, "PUT", "/api/outbound", { as: admin, body: { limits: { maxCalls: -1, callsPerMinute: 1 } } })).status).toBe(400);
    const before = await outboundFingerprint(db.prisma);
    const put = await call(outbound.PUT, "PUT", "/api/outbound", { as: admin, body: { limits: { maxCalls: 4, callsPerMinute: 10 } } });
    expect(put.status).toBe(200);
    expect(await outboundFingerprint(db.prisma)).not.toBe(before);
  });

  it("the runtime's configuration has the passwords decrypted, disabled entries left out", async () => {
    const id = (await db.prisma.sipUser.findUniqueOrThrow({ where: { number: "1000" } })).id;
    await call(sipUsers.POST, "POST", "/api/sip-users", { as: admin, body: { number: "1003", password: "desk-secret-1003", enabled: false } });
    const { config, skipped } = await loadOutboundConfig(db.prisma);
    expect(skipped).toEqual([]);
    expect(config.limits).toEqual({ maxCalls: 4, callsPerMinute: 10 });
    expect(config.users).toEqual([{ number: "1000", password: "desk-secret-1000" }]);
    expect(config.gateways).toEqual([
      expect.objectContaining({ name: "carrier", host: "gw.example.net", port: 5080, username: "acct", password: SECRET, allow: ["1NXXNXXXXXX"], maxCalls: 5, ping: 30, pingMin: 2, pingMax: 3 }),
    ]);
    const del = await call(sipUser.DELETE, "DELETE", `/api/sip-users/${id}`, { as: admin, params: { id } });
    expect(del.status).toBe(204);
  });

  it("a password encrypted under another key is skipped with a line, not sent in the clear or crashed on", async () => {
    await db.prisma.sipUser.create({ data: { number: "1099", passwordCipher: encryptSecret("other-key-secret", Buffer.alloc(32, 7)) } });
    const { config, skipped } = await loadOutboundConfig(db.prisma);
    expect(config.users.map((u) => u.number)).not.toContain("1099");
    expect(skipped.join("\n")).toMatch(/SIP user 1099: .*cannot be decrypted/);
    expect(() => decryptSecret("v1:AAAA:BBBB:CCCC")).toThrow(SecretKeyError);
  });
});

describe("the key", () => {
  it("without IVR_SECRET_KEY: a 32-byte key file beside the database, mode 0600, reused", () => {
    const savedDir = process.env.IVR_DATA_DIR;
    const dir = mkdtempSync(path.join(tmpdir(), "ivr-key-"));
    delete process.env.IVR_SECRET_KEY;
    process.env.IVR_DATA_DIR = dir;
    try {
      const key = secretKey();
      const file = path.join(dir, "secret.key");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(file, "utf8").trim(), "hex")).toEqual(key);
      expect(secretKey()).toEqual(key);
      expect(decryptSecret(encryptSecret("x-secret-x"))).toBe("x-secret-x");
    } finally {
      process.env.IVR_SECRET_KEY = KEY;
      if (savedDir === undefined) delete process.env.IVR_DATA_DIR;
      else process.env.IVR_DATA_DIR = savedDir;
    }
  });
});
