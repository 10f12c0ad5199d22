// Setup and API hardening (issue 11): DNS-rebinding setup refused, the Host allow-list on every
// request (the gate server.mjs puts in front of Next), 413s that say the limit (declared
// Content-Length refused before the body is read; chunked bodies cut at the limit; node counts),
// and JSON 404s for unknown API paths.
import http from "node:http";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../app/lib/server/db/client";
import * as status from "../../app/api/auth/status/route";
import * as setup from "../../app/api/auth/setup/route";
import * as flows from "../../app/api/flows/route";
import * as flowById from "../../app/api/flows/[id]/route";
import * as importFlow from "../../app/api/flows/import/route";
import * as unknownApi from "../../app/api/[...path]/route";
import * as runtimeStatus from "../../app/api/runtime/route";
import { gatedHandler } from "../../app/lib/server/gate";
import { isAllowedHost, isLoopbackHost, publicOrigin } from "../../app/lib/server/hosts";
import { formatBytes, parseByteSize, readLimits } from "../../app/lib/server/limits";
import { bigFlow } from "../../fixtures/designer-big-flow";
import { call, makeUser, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

let db: Database;
beforeAll(async () => {
  db = await startTestDatabase();
});
afterAll(stopTestDatabase);

const LIMIT_ENV = ["IVR_MAX_BODY_BYTES", "IVR_MAX_FLOW_NODES", "IVR_PUBLIC_URL"] as const;
afterEach(() => {
  for (const k of LIMIT_ENV) delete process.env[k];
});

const admin = { email: "root@example.com", name: "Root", password: "correct horse battery" };

describe("first-admin setup and DNS rebinding", () => {
  it("refuses setup from a rebinding page: loopback socket, attacker's Host and matching Origin", async () => {
    const r = await call(setup.POST, "POST", "/api/auth/setup", {
      body: admin,
      peer: "127.0.0.1",
      host: "evil.example:3200",
      origin: "http://evil.example:3200",
    });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe("forbidden");
    expect(r.headers.get("set-cookie")).toBeNull();
    expect(await db.prisma.user.count()).toBe(0);
  });

  it("refuses the no-token setup when only the socket is loopback (no Origin sent)", async () => {
    const r = await call(setup.POST, "POST", "/api/auth/setup", { body: admin, peer: "127.0.0.1", host: "evil.example:3200", origin: null });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/setup token/);
    // A loopback Host over a remote socket is not local either.
    const remote = await call(setup.POST, "POST", "/api/auth/setup", { body: admin, peer: "203.0.113.7", host: "localhost:3000", origin: null });
    expect(remote.status).toBe(403);
    expect(await db.prisma.user.count()).toBe(0);
  });

  it("tells the setup page whether the token is needed (hidden for a local browser)", async () => {
    const local = await call(status.GET, "GET", "/api/auth/status", { peer: "127.0.0.1", host: "localhost:3000" });
    expect(local.body).toEqual({ setupRequired: true, user: null, setupTokenNeeded: false });
    const rebound = await call(status.GET, "GET", "/api/auth/status", { peer: "127.0.0.1", host: "evil.example:3200" });
    expect(rebound.body.setupTokenNeeded).toBe(true);
    const remote = await call(status.GET, "GET", "/api/auth/status", { peer: "198.51.100.4", host: "localhost:3000" });
    expect(remote.body.setupTokenNeeded).toBe(true);
  });

  it("still lets a person at the machine create the admin: loopback socket and loopback Host", async () => {
    const r = await call(setup.POST, "POST", "/api/auth/setup", { body: admin, peer: "::1", host: "[::1]:3000", origin: "http://[::1]:3000" });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.user.role).toBe("admin");
    const after = await call(status.GET, "GET", "/api/auth/status", { peer: "127.0.0.1", host: "localhost:3000" });
    expect(after.body.setupTokenNeeded).toBeUndefined();
  });

  it("a cookie write whose Origin equals an attacker's Host is still cross-site", async () => {
    const editor = await makeUser(db, "editor");
    const r = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "x" }, host: "evil.example:3200", origin: "http://evil.example:3200" });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/Cross-site/);
    process.env.IVR_PUBLIC_URL = "https://ivr.example.com";
    const ok = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "via public origin" }, host: "ivr.example.com", origin: "https://ivr.example.com" });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });
});

describe("the Host allow-list", () => {
  it("knows loopback names and literals", () => {
    expect(["localhost", "localhost:3000", "LOCALHOST:1", "127.0.0.1", "127.9.8.7:80", "[::1]", "[::1]:3000", "[::ffff:127.0.0.1]:3000"].every(isLoopbackHost)).toBe(true);
    expect(["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "127.0.0.256", "10.0.0.1", "[::2]", "", "local host", "localhost:x", "user@localhost"].some(isLoopbackHost)).toBe(false);
  });

  it("adds the public origin, port included (the scheme's default port may be left out)", () => {
    const env = { IVR_PUBLIC_URL: "https://ivr.example.com" };
    expect(isAllowedHost("ivr.example.com", env)).toBe(true);
    expect(isAllowedHost("IVR.example.com:443", env)).toBe(true);
    expect(isAllowedHost("ivr.example.com:8443", env)).toBe(false);
    expect(isAllowedHost("evil.example", env)).toBe(false);
    expect(isAllowedHost("ivr.example.com", {})).toBe(false);
    expect(isAllowedHost("10.1.2.3:3000", { IVR_PUBLIC_URL: "http://10.1.2.3:3000/" })).toBe(true);
    expect(() => publicOrigin({ IVR_PUBLIC_URL: "ivr.example.com" })).toThrow(/IVR_PUBLIC_URL must be an origin/);
    expect(() => publicOrigin({ IVR_PUBLIC_URL: "https://ivr.example.com/app" })).toThrow(/no path/);
  });

  describe("in front of the app (server.mjs's gate) over a real socket", () => {
    let server: http.Server;
    let port = 0;
    const reached: string[] = [];
    const env: Record<string, string | undefined> = {};
    beforeAll(async () => {
      server = http.createServer(
        gatedHandler((req, res) => {
          reached.push(`${req.method} ${req.url} ${req.headers.host}`);
          res.writeHead(200, { "content-type": "text/plain" }).end("app");
        }, env),
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    /** One raw HTTP/1.1 request; the whole answer as text (the connection is closed by us). */
    function raw(head: string, body = ""): Promise<string> {
      return new Promise((resolve, reject) => {
        const s = net.connect(port, "127.0.0.1");
        let text = "";
        s.on("data", (d) => {
          text += d;
          // Enough once the headers and the announced body are in.
          const m = /content-length: (\d+)/i.exec(text);
          const split = text.indexOf("\r\n\r\n");
          if (m && split >= 0 && Buffer.byteLength(text.slice(split + 4)) >= Number(m[1])) {
            s.destroy();
            resolve(text);
          }
        });
        s.on("error", reject);
        s.on("close", () => resolve(text));
        s.write(`${head}\r\n\r\n${body}`);
      });
    }

    it("answers 421 with a readable message to a Host not on the list; the app never sees it", async () => {
      reached.length = 0;
      const page = await raw("GET / HTTP/1.1\r\nHost: evil.example:3200\r\nConnection: close");
      expect(page).toMatch(/^HTTP\/1\.1 421 /);
      expect(page).toMatch(/does not answer to Host "evil\.example:3200".*IVR_PUBLIC_URL/);
      const api = await raw("POST /api/auth/setup HTTP/1.1\r\nHost: evil.example:3200\r\nOrigin: http://evil.example:3200\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close", "{}");
      expect(api).toMatch(/^HTTP\/1\.1 421 /);
      const json = JSON.parse(api.slice(api.indexOf("\r\n\r\n") + 4));
      expect(json).toMatchObject({ error: "misdirected" });
      const missing = await raw("GET / HTTP/1.0");
      expect(missing).toMatch(/^HTTP\/1\.1 421 /);
      expect(reached).toEqual([]);
    });

    it("passes loopback Hosts and the configured public origin", async () => {
      reached.length = 0;
      expect(await raw(`GET /a HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close`)).toMatch(/^HTTP\/1\.1 200 /);
      expect(await raw(`GET /b HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close`)).toMatch(/^HTTP\/1\.1 200 /);
      expect(await raw("GET /c HTTP/1.1\r\nHost: studio.example.org\r\nConnection: close")).toMatch(/^HTTP\/1\.1 421 /);
      env.IVR_PUBLIC_URL = "https://studio.example.org";
      try {
        expect(await raw("GET /c HTTP/1.1\r\nHost: studio.example.org\r\nConnection: close")).toMatch(/^HTTP\/1\.1 200 /);
      } finally {
        delete env.IVR_PUBLIC_URL;
      }
      expect(reached).toEqual([`GET /a localhost:${port}`, `GET /b 127.0.0.1:${port}`, "GET /c studio.example.org"]);
    });

    it("refuses an API body announced over the limit with 413 before the body is sent", async () => {
      reached.length = 0;
      // Headers only: 64 MB announced, not one byte of it written. The answer comes anyway.
      const r = await raw(`POST /api/flows/import HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}`);
      expect(r).toMatch(/^HTTP\/1\.1 413 /);
      const json = JSON.parse(r.slice(r.indexOf("\r\n\r\n") + 4));
      expect(json.error).toBe("too_large");
      expect(json.message).toMatch(/larger than the limit of 5 MB \(5242880 bytes; IVR_MAX_BODY_BYTES\)/);
      env.IVR_MAX_BODY_BYTES = "100MB";
      try {
        expect(await raw(`POST /api/flows/import HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close`, "{}")).toMatch(/^HTTP\/1\.1 200 /);
      } finally {
        delete env.IVR_MAX_BODY_BYTES;
      }
      expect(reached).toEqual(["POST /api/flows/import localhost:" + port]);
    });
  });
});

describe("size limits on save and import (413, the limit in the message)", () => {
  let editor: Caller;
  beforeAll(async () => {
    editor = await makeUser(db, "editor");
  });

  it("parses and says sizes", () => {
    expect(readLimits({})).toEqual({ maxBodyBytes: 5 * 1024 * 1024, maxFlowNodes: 5000 });
    expect(readLimits({ IVR_MAX_BODY_BYTES: "512KB", IVR_MAX_FLOW_NODES: "100" })).toEqual({ maxBodyBytes: 512 * 1024, maxFlowNodes: 100 });
    expect(parseByteSize("1048576")).toBe(1048576);
    expect(() => parseByteSize("lots")).toThrow(/IVR_MAX_BODY_BYTES must be a size/);
    expect(() => readLimits({ IVR_MAX_FLOW_NODES: "-3" })).toThrow(/IVR_MAX_FLOW_NODES must be a whole number/);
    expect(formatBytes(5 * 1024 * 1024)).toBe("5 MB");
    expect(formatBytes(1536)).toBe("1.5 KB");
  });

  it("refuses an import of 5,001 nodes by count, before the document is validated", async () => {
    const graph = bigFlow(5001);
    const r = await call(importFlow.POST, "POST", "/api/flows/import", { as: editor, body: graph });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ error: "too_large", message: "The imported file has 5001 nodes; the limit is 5000 (IVR_MAX_FLOW_NODES)." });
    // Refused on the count even where the nodes are not valid nodes at all.
    const junk = await call(importFlow.POST, "POST", "/api/flows/import", { as: editor, body: { nodes: Array.from({ length: 5001 }, () => 0), edges: [] } });
    expect(junk.status).toBe(413);
    expect(await db.prisma.flow.count({ where: { name: { startsWith: "Big flow" } } })).toBe(0);
  });

  it("takes the node limit from IVR_MAX_FLOW_NODES, on save and create as on import", async () => {
    process.env.IVR_MAX_FLOW_NODES = "10";
    const ok = await call(importFlow.POST, "POST", "/api/flows/import", { as: editor, body: bigFlow(10) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const flow = ok.body.flow;
    const save = await call(flowById.PUT, "PUT", `/api/flows/${flow.id}`, { as: editor, params: { id: flow.id }, body: { graph: bigFlow(11), baseRevision: flow.revision } });
    expect(save.status).toBe(413);
    expect(save.body.message).toBe("The flow document has 11 nodes; the limit is 10 (IVR_MAX_FLOW_NODES).");
    const create = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "too big", graph: bigFlow(11) } });
    expect(create.status).toBe(413);
    // Nothing was lost or changed by the refused save.
    const row = await db.prisma.flow.findUniqueOrThrow({ where: { id: flow.id } });
    expect(row.revision).toBe(flow.revision);
  });

  it("refuses a body over IVR_MAX_BODY_BYTES by its Content-Length, and a chunked one once it passes the limit", async () => {
    process.env.IVR_MAX_BODY_BYTES = "64KB";
    const big = JSON.stringify({ ...bigFlow(10), description: "x".repeat(70 * 1024) });
    const declared = await call(importFlow.POST, "POST", "/api/flows/import", { as: editor, raw: big });
    expect(declared.status).toBe(413);
    expect(declared.body.message).toMatch(/larger than the limit of 64 KB \(65536 bytes; IVR_MAX_BODY_BYTES\)/);

    // Chunked (no Content-Length): an endless stream is cut at the limit, not read to the end.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 16 * 1024;
        c.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
    });
    const chunked = await call(importFlow.POST, "POST", "/api/flows/import", { as: editor, stream: endless });
    expect(chunked.status).toBe(413);
    expect(chunked.body.message).toMatch(/limit of 64 KB/);
    expect(sent).toBeLessThan(256 * 1024);
    // Under the limit, the same route works.
    const small = await call(importFlow.POST, "POST", "/api/flows/import", { as: editor, body: bigFlow(5) });
    expect(small.status).toBe(201);
  });
});

describe("unknown API paths", () => {
  it("answer JSON 404 in the API's error format, for every method", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      const r = await call(unknownApi[method as "GET"], method, "/api/flows/abc/nope");
      expect(r.status).toBe(404);
      expect(r.headers.get("content-type")).toMatch(/application\/json/);
      expect(r.body).toEqual({ error: "not_found", message: `The API path ${method} /api/flows/abc/nope was not found.` });
    }
  });
});

describe("runtime status without a runtime", () => {
  it("answers 503 with a reason when no runtime runs in this server", async () => {
    const viewer = await makeUser(db, "viewer");
    const r = await call(runtimeStatus.GET, "GET", "/api/runtime", { as: viewer });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: "unavailable" });
    expect(r.body.message).toMatch(/not running in this server/);
  });
});
