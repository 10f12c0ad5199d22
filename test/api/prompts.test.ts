// The prompt library's REST API against a real in-memory PGlite, the real ffmpeg/ffprobe, and
// fixtures made at test time with espeak-ng, sox and ffmpeg: every input format lands as 8 and
// 16 kHz mono 16-bit WAV of the right length; every bad input is a clear 4xx that leaves the
// library as it was; concurrent uploads of one name do not mix; delete is refused while a
// published version plays the prompt.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as prompts from "../../app/api/prompts/route";
import * as one from "../../app/api/prompts/[name]/route";
import * as audio from "../../app/api/prompts/[name]/audio/route";
import * as waveform from "../../app/api/prompts/[name]/waveform/route";
import * as tts from "../../app/api/prompts/tts/route";
import * as voices from "../../app/api/prompts/voices/route";
import * as file from "../../app/api/prompts/file/route";
import * as flows from "../../app/api/flows/route";
import * as publish from "../../app/api/flows/[id]/publish/route";
import * as validateRoute from "../../app/api/flows/[id]/validate/route";
import * as bundleRoute from "../../app/api/flows/[id]/bundle.zip/route";
import { unzipSync } from "fflate";
import type { Database } from "../../app/lib/server/db/client";
import { ffprobe } from "../media/support/tools";
import { call, makeUser, ORIGIN, startTestDatabase, stopTestDatabase, type Caller } from "./helpers";

const media = process.env.IVR_MEDIA_DIR!;
const fixtures = mkdtempSync(path.join(tmpdir(), "ivr-prompt-fixtures-"));
let db: Database;
let editor: Caller;
let viewer: Caller;

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
const ff = (args: string[]) => run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args]);

/** The fixtures: one spoken sentence in every format the library takes. */
const FORMATS: Record<string, { file: string; type: string }> = {
  wav: { file: "speech-44k-stereo.wav", type: "audio/wav" },
  mp3: { file: "speech.mp3", type: "audio/mpeg" },
  opus: { file: "speech.opus", type: "audio/ogg" },
  m4a: { file: "speech.m4a", type: "audio/mp4" },
  flac: { file: "speech.flac", type: "audio/flac" },
  webm: { file: "speech.webm", type: "audio/webm" },
};
let sourceMs = 0;

beforeAll(async () => {
  db = await startTestDatabase();
  editor = await makeUser(db, "editor", "Erin Editor");
  viewer = await makeUser(db, "viewer");
  const base = path.join(fixtures, "speech.wav");
  run("espeak-ng", ["-v", "en-us", "-w", base, "Thank you for calling the prompt library test."]);
  run("sox", [base, "-r", "44100", "-c", "2", path.join(fixtures, FORMATS.wav.file)]);
  ff(["-i", base, "-c:a", "libmp3lame", "-b:a", "64k", path.join(fixtures, FORMATS.mp3.file)]);
  ff(["-i", base, "-c:a", "libopus", path.join(fixtures, FORMATS.opus.file)]);
  ff(["-i", base, "-c:a", "aac", path.join(fixtures, FORMATS.m4a.file)]);
  ff(["-i", base, "-c:a", "flac", path.join(fixtures, FORMATS.flac.file)]);
  ff(["-i", base, "-c:a", "libopus", "-f", "webm", path.join(fixtures, FORMATS.webm.file)]);
  sourceMs = ffprobe(base).durationSec * 1000;
}, 60_000);
afterAll(async () => {
  await stopTestDatabase();
  rmSync(fixtures, { recursive: true, force: true });
});

function form(fields: Record<string, string>, upload?: { bytes: Uint8Array; name: string; type?: string }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  if (upload) f.set("file", new Blob([upload.bytes as Uint8Array<ArrayBuffer>], { type: upload.type ?? "application/octet-stream" }), upload.name);
  return f;
}

/** POST /api/prompts with a multipart body, as a browser sends it. */
async function upload(fields: Record<string, string>, fileName?: string, bytes?: Uint8Array, as: Caller = editor) {
  const body = form(fields, fileName !== undefined ? { bytes: bytes ?? readFileSync(path.join(fixtures, fileName)), name: fileName } : undefined);
  const req = new Request(`${ORIGIN}/api/prompts`, { method: "POST", headers: { cookie: as.cookie, origin: ORIGIN, host: "localhost:3000" }, body });
  const res = await prompts.POST(req, { params: Promise.resolve({}) } as never);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const libraryFiles = () => (existsSync(path.join(media, "prompts")) ? readdirSync(path.join(media, "prompts"), { recursive: true }).map(String).filter((f) => f !== ".incoming").sort() : []);
const rows = () => db.prisma.prompt.count();

describe("uploading every format", () => {
  it.each(Object.keys(FORMATS))("%s -> 201 and 8/16 kHz mono 16-bit WAVs as long as the speech", async (fmt) => {
    const r = await upload({ name: `speech_${fmt}` }, FORMATS[fmt].file);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.prompt).toMatchObject({ name: `speech_${fmt}`, path: `prompts/speech_${fmt}.wav`, rates: [8000, 16000], source: "upload", createdBy: "Erin Editor" });
    for (const rate of [8000, 16000]) {
      const p = ffprobe(path.join(media, "prompts", String(rate), `speech_${fmt}.wav`));
      expect(p).toMatchObject({ sampleRate: rate, channels: 1, codec: "pcm_s16le" });
      expect(Math.abs(p.durationSec * 1000 - sourceMs), `${fmt} at ${rate}`).toBeLessThan(20);
    }
    expect(Math.abs(r.body.prompt.durationMs - sourceMs)).toBeLessThan(20);
    expect(r.body.prompt.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("GET lists them with the same fields, and the media folder's files for pickers", async () => {
    const r = await call(prompts.GET, "GET", "/api/prompts", { as: viewer });
    expect(r.status).toBe(200);
    const names = r.body.prompts.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(Object.keys(FORMATS).map((f) => `speech_${f}`)));
    const mp3 = r.body.prompts.find((p: { name: string }) => p.name === "speech_mp3");
    expect(mp3).toMatchObject({ format: "mp3", path: "prompts/speech_mp3.wav" });
    expect(r.body.files.map((f: { path: string }) => f.path)).toContain("prompts/8000/speech_mp3.wav");
    expect(r.body.files.some((f: { path: string }) => f.path.includes(".incoming"))).toBe(false);
  });

  it("audio, waveform and sounds by flow path", async () => {
    const a = await call(audio.GET, "GET", "/api/prompts/speech_flac/audio", { as: viewer, params: { name: "speech_flac" }, query: "rate=16000" });
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("audio/wav");
    expect(Buffer.from(a.bytes).equals(readFileSync(path.join(media, "prompts/16000/speech_flac.wav")))).toBe(true);
    const w = await call(waveform.GET, "GET", "/api/prompts/speech_flac/waveform", { as: viewer, params: { name: "speech_flac" }, query: "points=50" });
    expect(w.body.peaks).toHaveLength(50);
    expect(Math.max(...w.body.peaks)).toBeGreaterThan(0.05);
    expect(Math.min(...w.body.peaks)).toBeLessThan(Math.max(...w.body.peaks));
    const f = await call(file.GET, "GET", "/api/prompts/file", { as: viewer, query: "path=prompts/speech_flac.wav" });
    expect(Buffer.from(f.bytes).equals(readFileSync(path.join(media, "prompts/8000/speech_flac.wav")))).toBe(true);
    expect((await call(file.GET, "GET", "/api/prompts/file", { as: viewer, query: "path=../../etc/passwd" })).status).toBe(404);
  });

  it("trim and normalize: leading and trailing silence goes", async () => {
    const padded = path.join(fixtures, "padded.wav");
    run("sox", [path.join(fixtures, "speech.wav"), padded, "pad", "1.5", "1.5"]);
    const r = await upload({ name: "trimmed", trim: "true", normalize: "true" }, "padded.wav");
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.prompt).toMatchObject({ trimmed: true, normalized: true });
    expect(r.body.prompt.durationMs).toBeLessThan(sourceMs + 400);
    expect(r.body.prompt.durationMs).toBeGreaterThan(sourceMs - 400);
  });
});

describe("bad input: a clear 4xx, the library unchanged", () => {
  const unchanged = async (fn: () => Promise<{ status: number; body: { message?: string } }>, status: number, message: RegExp) => {
    const before = { files: libraryFiles(), rows: await rows() };
    const r = await fn();
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.message).toMatch(message);
    expect({ files: libraryFiles(), rows: await rows() }).toEqual(before);
  };

  it("not audio, empty, no file", async () => {
    await unchanged(() => upload({ name: "text" }, "notes.txt", Buffer.from("just some text, not audio\n".repeat(50))), 415, /not an audio file/);
    await unchanged(() => upload({ name: "empty" }, "empty.wav", new Uint8Array()), 400, /empty/);
    await unchanged(() => upload({ name: "nofile" }), 400, /file/);
  });

  it("a truncated file ffmpeg cannot convert", async () => {
    const mp3 = readFileSync(path.join(fixtures, FORMATS.m4a.file));
    await unchanged(() => upload({ name: "broken" }, "broken.m4a", mp3.subarray(0, 600)), 415, /not an audio file|could not/);
  });

  it("too big, too long", async () => {
    process.env.IVR_MAX_PROMPT_BYTES = "20KB";
    try {
      await unchanged(() => upload({ name: "big" }, FORMATS.wav.file), 413, /at most 20 KB/);
    } finally {
      delete process.env.IVR_MAX_PROMPT_BYTES;
    }
    process.env.IVR_MAX_PROMPT_SECONDS = "1";
    try {
      await unchanged(() => upload({ name: "long" }, FORMATS.mp3.file), 413, /at most 1 s/);
    } finally {
      delete process.env.IVR_MAX_PROMPT_SECONDS;
    }
  });

  it("names that would leave the prompts folder, or are not allowed", async () => {
    for (const name of ["../escape", "a/b", "..", "/etc/passwd", "x\\y", "has space", "tts"]) {
      await unchanged(() => upload({ name }, FORMATS.flac.file), 400, /name/);
    }
  });

  it("a name that exists: 409 unless replace=true", async () => {
    await unchanged(() => upload({ name: "speech_flac" }, FORMATS.mp3.file), 409, /exists already/);
    const r = await upload({ name: "speech_flac", replace: "true" }, FORMATS.mp3.file);
    expect(r.status).toBe(200);
    expect(r.body.prompt.format).toBe("mp3");
  });

  it("viewers cannot upload; not multipart is 415", async () => {
    const r = await upload({ name: "v" }, FORMATS.flac.file, undefined, viewer);
    expect(r.status).toBe(403);
    const j = await call(prompts.POST, "POST", "/api/prompts", { as: editor, body: { name: "x" } });
    expect(j.status).toBe(415);
  });
});

describe("concurrent uploads of one name", () => {
  it("both finish, and the 8 and 16 kHz files and the row all come from the same upload", async () => {
    const a = upload({ name: "race", replace: "true" }, FORMATS.wav.file);
    const b = upload({ name: "race", replace: "true" }, "short.flac", (() => {
      ff(["-f", "lavfi", "-i", "sine=frequency=500:duration=0.5", "-c:a", "flac", path.join(fixtures, "short.flac")]);
      return readFileSync(path.join(fixtures, "short.flac"));
    })());
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.status, rb.status].sort()).toEqual([200, 201]);
    const row = await db.prisma.prompt.findUniqueOrThrow({ where: { name: "race" } });
    const d8 = ffprobe(path.join(media, "prompts/8000/race.wav")).durationSec * 1000;
    const d16 = ffprobe(path.join(media, "prompts/16000/race.wav")).durationSec * 1000;
    expect(Math.abs(d8 - d16)).toBeLessThan(20);
    expect(Math.abs(row.durationMs - d8)).toBeLessThan(20);
    expect(libraryFiles().filter((f) => f.startsWith(".incoming/") && f !== ".incoming")).toEqual([]);
  });

  it("without replace exactly one wins, the other gets 409", async () => {
    const [ra, rb] = await Promise.all([upload({ name: "first" }, FORMATS.flac.file), upload({ name: "first" }, FORMATS.mp3.file)]);
    expect([ra.status, rb.status].sort()).toEqual([201, 409]);
    const winner = ra.status === 201 ? ra : rb;
    expect((await db.prisma.prompt.findUniqueOrThrow({ where: { name: "first" } })).checksum).toBe(winner.body.prompt.checksum);
  });
});

describe("TTS prompts", () => {
  it("lists voices, previews, saves (cached by text+engine+voice)", async () => {
    const v = await call(voices.GET, "GET", "/api/prompts/voices", { as: viewer });
    expect(v.body.engines.flite).toContain("kal");
    expect(v.body.engines["espeak-ng"]).toContain("en-us");
    const preview = await call(tts.POST, "POST", "/api/prompts/tts", { as: editor, body: { text: "Press one for sales.", engine: "flite", voice: "slt", preview: true } });
    expect(preview.status).toBe(200);
    expect(preview.headers.get("content-type")).toBe("audio/wav");
    const saved = await call(tts.POST, "POST", "/api/prompts/tts", { as: editor, body: { name: "sales_tts", text: "Press one for sales.", engine: "flite", voice: "slt" } });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(saved.body.prompt).toMatchObject({ name: "sales_tts", source: "tts", tts: { text: "Press one for sales.", engine: "flite", voice: "slt" } });
    expect(ffprobe(path.join(media, "prompts/8000/sales_tts.wav"))).toMatchObject({ sampleRate: 8000, channels: 1 });
    const es = await call(tts.POST, "POST", "/api/prompts/tts", { as: editor, body: { name: "es_tts", text: "-rf --help; $(id)", engine: "espeak-ng", voice: "en-gb" } });
    expect(es.status, JSON.stringify(es.body)).toBe(201);
    expect(es.body.prompt.durationMs).toBeGreaterThan(300);
  });

  it("unknown engine or voice, empty text: 400", async () => {
    for (const body of [
      { name: "t", text: "hi", engine: "cepstral", voice: "x" },
      { name: "t", text: "hi", engine: "flite", voice: "nobody" },
      { name: "t", text: " ", engine: "flite", voice: "kal" },
    ]) {
      const r = await call(tts.POST, "POST", "/api/prompts/tts", { as: editor, body });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
    }
  });
});

describe("validation", () => {
  it("warns (IVR1030) about a prompt the server has neither in the library nor in the sounds folder", async () => {
    const graph = {
      schemaVersion: 1,
      name: "Validate prompts",
      nodes: [
        { id: "start", kind: "start", position: { x: 0, y: 0 }, params: {} },
        { id: "known", kind: "play", position: { x: 0, y: 100 }, params: { file: "prompts/speech_mp3.wav" } },
        { id: "unknown", kind: "play", position: { x: 0, y: 200 }, params: { file: "prompts/never_uploaded.wav" } },
        { id: "bye", kind: "hangup", position: { x: 0, y: 300 }, params: {} },
      ],
      edges: [
        { id: "e1", source: "start", outcome: "next", target: "known" },
        { id: "e2", source: "known", outcome: "next", target: "unknown" },
        { id: "e3", source: "unknown", outcome: "next", target: "bye" },
      ],
    };
    const created = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "Validate prompts", graph } });
    const id = created.body.flow.id;
    const r = await call(validateRoute.POST, "POST", `/api/flows/${id}/validate`, { as: viewer, params: { id }, body: {} });
    expect(r.status).toBe(200);
    const warnings = r.body.diagnostics.filter((d: { code: string }) => d.code === "IVR1030");
    expect(warnings).toEqual([expect.objectContaining({ nodeId: "unknown", severity: "warning", param: "file" })]);
  });
});

describe("deleting", () => {
  it("is refused while a published version plays it (the message lists the flows), then allowed", async () => {
    const graph = {
      schemaVersion: 1,
      name: "Uses speech",
      nodes: [
        { id: "start", kind: "start", position: { x: 0, y: 0 }, params: {} },
        { id: "hello", kind: "play", position: { x: 0, y: 100 }, params: { file: "prompts/speech_opus.wav" } },
        { id: "bye", kind: "hangup", position: { x: 0, y: 200 }, params: {} },
      ],
      edges: [
        { id: "e1", source: "start", outcome: "next", target: "hello" },
        { id: "e2", source: "hello", outcome: "next", target: "bye" },
      ],
    };
    const created = await call(flows.POST, "POST", "/api/flows", { as: editor, body: { name: "Uses speech", graph } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.flow.id;
    const pub = await call(publish.POST, "POST", `/api/flows/${id}/publish`, { as: editor, params: { id }, body: { note: "v1" } });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);

    // The FreeSWITCH bundle carries the library's rate-folder files.
    const zip = await call(bundleRoute.GET, "GET", `/api/flows/${id}/bundle.zip`, { as: viewer, params: { id } });
    expect(zip.status).toBe(200);
    const entries = Object.keys(unzipSync(zip.bytes));
    expect(entries).toEqual(expect.arrayContaining(["sounds/prompts/8000/speech_opus.wav", "sounds/prompts/16000/speech_opus.wav"]));
    expect(zip.headers.get("x-ivr-missing-prompts")).toBe("0");

    const refused = await call(one.DELETE, "DELETE", "/api/prompts/speech_opus", { as: editor, params: { name: "speech_opus" } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/Uses speech \(version 1\)/);
    expect(existsSync(path.join(media, "prompts/8000/speech_opus.wav"))).toBe(true);
    const info = await call(one.GET, "GET", "/api/prompts/speech_opus", { as: viewer, params: { name: "speech_opus" } });
    expect(info.body.usedBy).toEqual([{ flowId: id, flowName: "Uses speech", versions: [1] }]);

    const ok = await call(one.DELETE, "DELETE", "/api/prompts/speech_webm", { as: editor, params: { name: "speech_webm" } });
    expect(ok.status).toBe(204);
    expect(existsSync(path.join(media, "prompts/8000/speech_webm.wav"))).toBe(false);
    expect(existsSync(path.join(media, "prompts/16000/speech_webm.wav"))).toBe(false);
    expect((await call(one.GET, "GET", "/api/prompts/speech_webm", { as: viewer, params: { name: "speech_webm" } })).status).toBe(404);
  });
});

it("writes nothing outside the media folder's prompts/ (fixture sanity)", () => {
  writeFileSync(path.join(fixtures, "marker"), "x");
  expect(libraryFiles().every((f) => !f.includes(".."))).toBe(true);
});
