// The phrase library's REST API and prompt rename, against a real in-memory PGlite and ffmpeg:
// phrases are checked with messages pointing at the item, saved with a revision, refused for
// delete while a published version plays them, warned about by validate (IVR1032), written into
// the bundle as FreeSWITCH phrase XML and handed to the runtime's route table. A renamed prompt
// keeps every reference working: drafts and phrases play the new name, published versions the
// old one (kept as an alias until the prompt goes).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as phrases from "../../app/api/phrases/route";
import * as phrase from "../../app/api/phrases/[id]/route";
import * as prompts from "../../app/api/prompts/route";
import * as prompt from "../../app/api/prompts/[name]/route";
import * as flows from "../../app/api/flows/route";
import * as oneFlow from "../../app/api/flows/[id]/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as validateRoute from "../../app/api/flows/[id]/validate/route";
import * as bundleRoute from "../../app/api/flows/[id]/bundle.zip/route";
import { loadRouteTable } from "../../app/lib/server/runtime/route-table";
import type { Database } from "../../app/lib/server/db/client";
import { call, makeUser, ORIGIN, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const media = process.env.IVR_MEDIA_DIR!;
const work = mkdtempSync(path.join(tmpdir(), "ivr-phrases-api-"));
let db: Database;
let editor: Caller;
let viewer: Caller;
let wav: Buffer;

beforeAll(async () => {
  db = await startTestDatabase();
  editor = await makeUser(db, "editor", "Erin Editor");
  viewer = await makeUser(db, "viewer");
  const file = path.join(work, "tone.wav");
  execFileSync("sox", ["-n", "-r", "8000", "-c", "1", file, "synth", "0.3", "sine", "440"]);
  wav = readFileSync(file);
}, 60_000);
afterAll(async () => {
  await stopTestDatabase();
  rmSync(work, { recursive: true, force: true });
});

async function uploadPrompt(name: string) {
  const f = new FormData();
  f.set("name", name);
  f.set("file", new Blob([wav as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), `${name}.wav`);
  const req = new Request(`${ORIGIN}/api/prompts`, { method: "POST", headers: { cookie: editor.cookie, origin: ORIGIN, host: "localhost:3000" }, body: f });
  const res = await prompts.POST(req, { params: Promise.resolve({}) } as never);
  return { status: res.status, body: await res.json() };
}

function flowGraph(name: string, nodes: Array<{ id: string; kind: string; params: Record<string, unknown> }>) {
  const all = [{ id: "start", kind: "start", params: {} }, ...nodes, { id: "bye", kind: "hangup", params: {} }];
  return {
    schemaVersion: 1,
    name,
    nodes: all.map((n, i) => ({ ...n, position: { x: 0, y: i * 100 } })),
    edges: all.slice(0, -1).map((n, i) => ({ id: `e${i}`, source: n.id, outcome: "next", target: all[i + 1].id })),
  };
}

async function createFlow(name: string, nodes: Parameters<typeof flowGraph>[1], publishIt = false): Promise<string> {
  const created = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name, graph: flowGraph(name, nodes) } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.flow.id as string;
  if (publishIt) {
    const pub = await call(publish.POST, "POST", `/api/flows/${id}/publish`, { as: editor, params: { id }, body: { note: "v1" } });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
  }
  return id;
}

const QUEUE = {
  name: "queue_position",
  inputs: [
    {
      pattern: "^(\\d+)$",
      match: [
        { type: "file", file: "prompts/you_are.wav" },
        { type: "say", text: "$1", sayType: "ITEMS" },
        { type: "pause", ms: 300 },
      ],
      nomatch: [{ type: "file", file: "ivr/nowhere-to-be-found.wav" }],
    },
  ],
};

describe("phrase library", () => {
  let id: string;

  it("saves a phrase (201) with warnings that point at the item; errors refuse it with every diagnostic", async () => {
    expect((await uploadPrompt("you_are")).status).toBe(201);
    const r = await call(phrases.POST, "POST", "/api/phrases", { as: editor, body: QUEUE });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    id = r.body.phrase.id;
    expect(r.body.phrase).toMatchObject({ name: "queue_position", language: "en", pauseMs: 100, revision: 1, updatedBy: "Erin Editor" });
    expect(r.body.diagnostics).toEqual([
      { severity: "warning", path: "inputs.0.nomatch.0.file", message: expect.stringMatching(/^Input 1, nomatch item 1 \(play file\): the prompt "ivr\/nowhere-to-be-found\.wav" is neither/) },
    ]);

    const bad = await call(phrases.POST, "POST", "/api/phrases", {
      as: editor,
      body: { name: "bad one", inputs: [{ pattern: "^(\\d+$", match: [{ type: "say", text: "" }] }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.diagnostics.map((d: { path: string }) => d.path)).toEqual(["name", "inputs.0.pattern", "inputs.0.match.0.text"]);
    const shape = await call(phrases.POST, "POST", "/api/phrases", { as: editor, body: { name: "x", inputs: [{ match: [{ type: "pause", ms: -5 }] }] } });
    expect(shape.status).toBe(400);
    expect(shape.body.message).toMatch(/inputs\.0\.match\.0\.ms/);

    expect((await call(phrases.POST, "POST", "/api/phrases", { as: editor, body: QUEUE })).status).toBe(409);
    expect((await call(phrases.POST, "POST", "/api/phrases", { as: viewer, body: { ...QUEUE, name: "other" } })).status).toBe(403);
    const list = await call(phrases.GET, "GET", "/api/phrases", { as: viewer });
    expect(list.body.phrases.map((p: { name: string }) => p.name)).toEqual(["queue_position"]);
  });

  it("PUT needs the revision it started from; a stale one is 409", async () => {
    const ok = await call(phrase.PUT, "PUT", `/api/phrases/${id}`, { as: editor, params: { id }, body: { ...QUEUE, pauseMs: 50, revision: 1 } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.phrase).toMatchObject({ pauseMs: 50, revision: 2 });
    const stale = await call(phrase.PUT, "PUT", `/api/phrases/${id}`, { as: editor, params: { id }, body: { ...QUEUE, revision: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/changed by Erin Editor meanwhile/);
  });

  it("validate warns (IVR1032) about a Phrase node the library lacks; the bundle carries the XML; the route table the macros", async () => {
    const flowId = await createFlow("Queue caller", [
      { id: "pos", kind: "phrase", params: { name: "queue_position", data: "${pos}" } },
      { id: "missing", kind: "phrase", params: { name: "no_such_phrase" } },
    ]);
    const v = await call(validateRoute.POST, "POST", `/api/flows/${flowId}/validate`, { as: viewer, params: { id: flowId }, body: {} });
    expect(v.body.diagnostics.filter((d: { code: string }) => d.code === "IVR1032")).toEqual([expect.objectContaining({ nodeId: "missing", param: "name", severity: "warning" })]);

    const zip = await call(bundleRoute.GET, "GET", `/api/flows/${flowId}/bundle.zip`, { as: viewer, params: { id: flowId } });
    expect(zip.status).toBe(200);
    const entries = unzipSync(zip.bytes);
    const xml = new TextDecoder().decode(entries["lang/en/ivr/ivr-studio-queue_caller.xml"]);
    expect(xml).toContain('<macro name="queue_position" pause="50">');
    expect(xml).toContain('<action function="execute" data="sleep(300)"/>');
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(["sounds/prompts/8000/you_are.wav"]));

    const table = await loadRouteTable(db.prisma, path.join(work, "scripts"));
    expect(table.phrases.map((p) => p.name)).toEqual(["queue_position"]);
  });

  it("delete is refused while a published version plays the phrase, and renaming it away too", async () => {
    const flowId = await createFlow("Published queue", [{ id: "pos", kind: "phrase", params: { name: "queue_position", data: "3" } }], true);
    const refused = await call(phrase.DELETE, "DELETE", `/api/phrases/${id}`, { as: editor, params: { id } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/Published queue \(version 1\)/);
    const rename = await call(phrase.PUT, "PUT", `/api/phrases/${id}`, { as: editor, params: { id }, body: { ...QUEUE, name: "renamed", revision: 2 } });
    expect(rename.status).toBe(409);
    expect(rename.body.flows).toEqual([{ flowId, flowName: "Published queue", versions: [1] }]);
    const info = await call(phrase.GET, "GET", `/api/phrases/${id}`, { as: viewer, params: { id } });
    expect(info.body.usedBy).toHaveLength(1);
  });
});

describe("renaming a prompt", () => {
  it("drafts and phrases play the new name; a published version keeps the old one, which stays taken until delete", async () => {
    expect((await uploadPrompt("greet")).status).toBe(201);
    const published = await createFlow("Greets callers", [{ id: "hello", kind: "play", params: { file: "prompts/greet.wav" } }], true);
    const draftOnly = await createFlow("Draft greeter", [{ id: "menu", kind: "menu", params: { prompt: "file_string://prompts/greet.wav!silence_stream://200", invalidPrompt: "prompts/greet.wav", choices: [{ key: "1" }] } }]);
    const ph = await call(phrases.POST, "POST", "/api/phrases", { as: editor, body: { name: "greeting", inputs: [{ match: [{ type: "file", file: "prompts/greet.wav" }] }] } });
    expect(ph.status).toBe(201);

    const r = await call(prompt.PATCH, "PATCH", "/api/prompts/greet", { as: editor, params: { name: "greet" }, body: { name: "welcome" } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.prompt).toMatchObject({ name: "welcome", path: "prompts/welcome.wav", aliases: ["prompts/greet.wav"] });
    expect(r.body.drafts.map((d: { flowName: string }) => d.flowName).sort()).toEqual(["Draft greeter", "Greets callers"]);
    expect(r.body.phrases).toEqual([{ name: "greeting", language: "en" }]);
    expect(r.body.keptFor).toEqual([{ flowId: published, flowName: "Greets callers", versions: [1] }]);

    const draft = await call(oneFlow.GET, "GET", `/api/flows/${draftOnly}`, { as: viewer, params: { id: draftOnly } });
    const menu = draft.body.flow.graph.nodes.find((n: { id: string }) => n.id === "menu");
    expect(menu.params).toMatchObject({ prompt: "file_string://prompts/welcome.wav!silence_stream://200", invalidPrompt: "prompts/welcome.wav" });
    expect(draft.body.flow.revision).toBe(2);
    // Both names play: the new one for drafts and phrases, the old one for the published version.
    for (const n of ["welcome", "greet"]) for (const rate of [8000, 16000]) expect(existsSync(path.join(media, `prompts/${rate}/${n}.wav`)), `${n} ${rate}`).toBe(true);

    // The old name is not free while it is an alias; the new one cannot be taken twice.
    expect((await uploadPrompt("greet")).status).toBe(409);
    expect((await uploadPrompt("other")).status).toBe(201);
    const clash = await call(prompt.PATCH, "PATCH", "/api/prompts/other", { as: editor, params: { name: "other" }, body: { name: "greet" } });
    expect(clash.status).toBe(409);
    expect(clash.body.message).toMatch(/former name of the prompt "welcome"/);
    expect((await call(prompt.PATCH, "PATCH", "/api/prompts/other", { as: editor, params: { name: "other" }, body: { name: "welcome" } })).status).toBe(409);
    expect((await call(prompt.PATCH, "PATCH", "/api/prompts/other", { as: editor, params: { name: "other" }, body: { name: "../x" } })).status).toBe(400);

    // A prompt nothing published plays simply moves.
    const moved = await call(prompt.PATCH, "PATCH", "/api/prompts/other", { as: editor, params: { name: "other" }, body: { name: "other2" } });
    expect(moved.body.prompt.aliases).toEqual([]);
    expect(existsSync(path.join(media, "prompts/8000/other.wav"))).toBe(false);

    // A phrase plays it: deleting it would silence the phrase everywhere, so it is refused, naming the phrase.
    const uses = await call(phrases.POST, "POST", "/api/phrases", { as: editor, body: { name: "uses_other", inputs: [{ match: [{ type: "file", file: "file_string://prompts/other2.wav!silence_stream://100" }] }] } });
    expect(uses.status).toBe(201);
    const refusedForPhrase = await call(prompt.DELETE, "DELETE", "/api/prompts/other2", { as: editor, params: { name: "other2" } });
    expect(refusedForPhrase.status).toBe(409);
    expect(refusedForPhrase.body.message).toMatch(/played by the phrase uses_other \(en\)/);
    expect((await call(phrase.DELETE, "DELETE", `/api/phrases/${uses.body.phrase.id}`, { as: editor, params: { id: uses.body.phrase.id } })).status).toBe(204);
    expect((await call(prompt.DELETE, "DELETE", "/api/prompts/other2", { as: editor, params: { name: "other2" } })).status).toBe(204);

    // Delete is refused while the published version plays the old name (listing it), like any use.
    const del = await call(prompt.DELETE, "DELETE", "/api/prompts/welcome", { as: editor, params: { name: "welcome" } });
    expect(del.status).toBe(409);
    expect(del.body.message).toMatch(/Greets callers \(version 1\)/);
  });
});
