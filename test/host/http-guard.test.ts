// TS scripts reach only the hosts on the HTTP allow-list: their `fetch` asks the TS host, which checks the list.
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TsHost, loadTsScript } from "../../runtime/host/ts-host";
import { makeSession } from "../session/fakes";

let server: http.Server;
let url = "";
let hits = 0;
const dir = mkdtempSync(path.join(os.tmpdir(), "http-guard-"));

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    hits++;
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function runWith(allow: string[], name: string) {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(
    file,
    `import type { Session } from "ivr-studio/runtime";
export default async function main(session: Session) {
  try {
    const r = await fetch(${JSON.stringify(url)});
    await session.setVariable("result", String(r.status));
  } catch (e) {
    await session.setVariable("result", "blocked: " + (e as Error).message);
  }
  const r2 = await globalThis.fetch(${JSON.stringify(url)}).then((r) => String(r.status), () => "blocked");
  await session.setVariable("result2", r2);
}
`,
  );
  const host = new TsHost({ warmIsolates: 0, httpAllowList: () => allow, log: () => undefined });
  const t = makeSession();
  expect(await host.run(await loadTsScript(file), t.session, [])).toEqual({ kind: "returned" });
  return { result: t.channel.getVar("result"), result2: t.channel.getVar("result2") };
}

describe("HTTP allow-list for TS scripts", () => {
  it("blocks a host that is not on the list, before any request is made", async () => {
    const before = hits;
    const r = await runWith([], "blocked");
    expect(r.result).toBe("blocked: host 127.0.0.1 is not on the HTTP allow-list");
    expect(r.result2).toBe("blocked");
    expect(hits).toBe(before);
  });

  it("lets a listed host through", async () => {
    const r = await runWith(["127.0.0.1"], "allowed");
    expect(r).toEqual({ result: "200", result2: "200" });
  });
});
