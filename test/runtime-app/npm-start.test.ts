// server.mjs for real (the `npm start` process, fresh data folder): the runtime joins it and
// prints where SIP listens; a number routed through the REST API answers with the published
// flow; SIGTERM refuses new calls (503), lets the call in progress finish, flushes the call
// log and closes the database, whose Call/CallEvent rows are then read back from disk.
// Needs a built designer (.next) that is up to date with its sources; otherwise another test
// (the designer e2e) may be rebuilding it right now, so this one is skipped.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../app/lib/server/db/client";
import { repoRoot } from "../api/helpers";
import { hasSipp, runSipp } from "../sip/sipp-harness";
import { mediaWithPrompts, waitFor } from "./support";

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((e) => newest(path.join(p, e))));
}

/** Same rule as the e2e harness's ensureBuilt: .next is newer than everything it compiles. */
function buildIsFresh(): boolean {
  const id = path.join(repoRoot, ".next/BUILD_ID");
  if (!existsSync(id)) return false;
  const sources = Math.max(...["app", "flow", "generators", "prisma/generated", "next.config.js"].map((d) => newest(path.join(repoRoot, d))));
  return statSync(id).mtimeMs > sources;
}

const skip = !hasSipp || !buildIsFresh();
if (skip) console.warn("[runtime-app npm-start] skipped: needs sipp and an up-to-date .next build (npx next build)");

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip)("npm start (server.mjs) with the runtime", () => {
  let child: ChildProcess;
  let output = "";
  let base = "";
  let sipPort = 0;
  let cookie = "";
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ivr-rtapp-data-"));
  const media = mediaWithPrompts("main-menu");

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { origin: base, cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  beforeAll(async () => {
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.join(repoRoot, "server.mjs")], {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        IVR_ROOT: repoRoot,
        IVR_DATA_DIR: dataDir,
        IVR_MEDIA_DIR: media,
        PORT: String(port),
        HOST: "127.0.0.1",
        IVR_SIP: "127.0.0.1:0",
        IVR_RTP_PORTS: "61200-61299",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const line = await waitFor(
      "SIP: udp ... in the server output",
      () => {
        if (child.exitCode !== null) throw new Error(`server.mjs exited (${child.exitCode}):\n${output}`);
        return /SIP: udp 127\.0\.0\.1:(\d+) \((\d+) routes?\)/.exec(output) ?? undefined;
      },
      40_000,
      () => output,
    );
    sipPort = Number(line[1]);
    expect(line[2]).toBe("0");
    await waitFor("HTTP", async () => (await fetch(`${base}/api/auth/status`).catch(() => undefined))?.ok, 20_000, () => output);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(media, { recursive: true, force: true });
  });

  /** A request with any Host header (fetch will not send a foreign one). */
  const rawRequest = (method: string, url: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; body: any; type: string }>((resolve, reject) => {
      const req = http.request(`${base}${url}`, { method, headers }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          const type = String(res.headers["content-type"] ?? "");
          resolve({ status: res.statusCode ?? 0, type, body: type.includes("json") ? JSON.parse(text) : text });
        });
      });
      req.on("error", reject);
      req.end(body);
    });

  it("refuses a DNS-rebinding setup, foreign Hosts and oversized bodies; unknown API paths are JSON 404s", async () => {
    const rebinding = await rawRequest(
      "POST",
      "/api/auth/setup",
      { host: "evil.example:3200", origin: "http://evil.example:3200", "content-type": "application/json" },
      JSON.stringify({ email: "mallory@example.com", name: "Mallory", password: "correct horse battery" }),
    );
    expect(rebinding.status).toBe(421);
    expect(rebinding.body).toMatchObject({ error: "misdirected" });
    expect(rebinding.body.message).toMatch(/IVR_PUBLIC_URL/);
    const page = await rawRequest("GET", "/", { host: "evil.example:3200" });
    expect(page.status).toBe(421);
    expect((await (await fetch(`${base}/api/auth/status`)).json()).setupRequired).toBe(true);

    const missing = await fetch(`${base}/api/no/such/thing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not_found", message: "The API path GET /api/no/such/thing was not found." });

    // Announced 64 MB, nothing sent: refused by the server before Next reads a byte.
    const huge = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/api/flows/import`, { method: "POST", headers: { "content-type": "application/json", "content-length": String(64 * 1024 * 1024) } });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(huge).toBe(413);
  });

  it("runs the web server's thread at a lower CPU priority than the runtime's threads", () => {
    const nice = (tid: string) => {
      const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    };
    const tids = readdirSync(`/proc/${child.pid}/task`);
    const base = os.getPriority();
    // The first thread is the web server's; the runtime thread and the media worker are others.
    expect(nice(String(child.pid))).toBe(Math.min(19, base + 10));
    expect(tids.filter((t) => t !== String(child.pid) && nice(t) === base).length).toBeGreaterThanOrEqual(2);
  });

  it("answers a routed number with the published flow, and stops gracefully on SIGTERM", async () => {
    const setup = await api("POST", "/api/auth/setup", { email: "ada@example.com", name: "Ada", password: "correct horse battery" });
    expect(setup.status, JSON.stringify(setup.body)).toBe(201);
    cookie = (setup.headers.get("set-cookie") ?? "").split(";")[0];
    const flow = await api("POST", "/api/flows", { name: "Main menu", template: "main-menu" });
    expect(flow.status).toBe(201);
    const flowId = flow.body.flow.id as string;
    expect((await api("POST", `/api/flows/${flowId}/publish`, { publishAnyway: true })).status).toBe(201);
    expect((await api("POST", "/api/routes", { pattern: "1000", flowId })).status).toBe(201);
    await waitFor("the runtime to serve route 1000", () => /routes updated: 1 route\(s\) served/.test(output), 8000, () => output);

    // The call takes ~3 s (digit 1 at 0.8 s, digit 2 at 2.3 s, then the transfer); stop mid-call.
    const inCall = runSipp("lua-dtmf-1-2", sipPort, "1000");
    await new Promise((r) => setTimeout(r, 1200));
    // Over HTTP, the call is listed while it is still in progress (its start is flushed within 500 ms).
    const live = await api("GET", "/api/calls?number=1000");
    expect(live.status, JSON.stringify(live.body)).toBe(200);
    expect(live.body.calls).toHaveLength(1);
    expect(live.body.calls[0]).toMatchObject({ to: "1000", flowId, flowName: "Main menu", version: 1, endedAt: null });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    await waitFor("the stop to begin", () => /SIP: refusing new calls, 1 call\(s\) in progress/.test(output), 3000, () => output);
    // Relative to test/sipp: the scenario lives with this test.
    const refused = await runSipp("../runtime-app/sipp/expect-503", sipPort, "1000");
    expect(refused.code, `${refused.stdout}\n${refused.stderr}\n${output}`).toBe(0);
    const finished = await inCall;
    expect(finished.code, `${finished.stdout}\n${finished.stderr}\n${output}`).toBe(0);
    expect(await exited).toBe(0);

    // The call log reached the database before it was closed.
    const db = await openDatabase({ dataDir: path.join(dataDir, "pglite") });
    try {
      const calls = await db.prisma.call.findMany({ include: { events: { orderBy: { seq: "asc" } } } });
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ to: "1000", flowId, version: 1 });
      expect(calls[0].endedAt).toBeInstanceOf(Date);
      const nodes = calls[0].events.map((e) => e.node);
      expect(nodes).toContain("main_menu");
      expect(nodes).toContain("sales_menu");
    } finally {
      await db.close();
      // The snapshot server.mjs cached for this test's flow (the cache is the project's own).
      rmSync(path.join(repoRoot, ".ivr-cache", "scripts", `${flowId}-v1.ts`), { force: true });
    }
  }, 40_000);
});
