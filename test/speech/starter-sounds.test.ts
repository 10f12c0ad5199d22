// The starter sound set: it covers every prompt the examples and forms name and every file
// `say` composes; it is spoken by the real flite and ffmpeg in FreeSWITCH's rate-folder layout,
// never overwrites a file that is there, leaves no half file; and playback finds the rate folder.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectPromptRefs } from "../../flow/prompts";
import type { FlowGraph } from "../../flow/graph";
import { Transcoder } from "../../runtime/media/transcode";
import { openSource, rateFolderPath, transcodingLoader } from "../../runtime/media/sources";
import { sayEnglish, sayMethodByName, sayTypeByName } from "../../runtime/session/say/en";
import {
  ensureStarterSounds,
  makeStarterSounds,
  missingStarterSounds,
  STARTER_SOUNDS,
  starterSoundsEnabled,
} from "../../runtime/speech/starter-sounds";
import { ffmpeg, ffprobe, makeTempDir } from "../media/support/tools";

const ROOT = path.resolve(__dirname, "../..");
const names = new Set(STARTER_SOUNDS.map((s) => s.file));

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("what the starter set covers", () => {
  it("every prompt file the examples play, and the forms' suggested prompt", () => {
    const examples = readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".json"));
    expect(examples.length).toBeGreaterThan(3);
    const refs = examples.flatMap((f) => collectPromptRefs(JSON.parse(readFileSync(path.join(ROOT, "examples", f), "utf8")) as FlowGraph));
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((r) => !names.has(r))).toEqual([]);
    expect(names.has("ivr/ivr-welcome.wav")).toBe(true);
  });

  it("every file say composes for numbers, amounts, dates and times", () => {
    const ctx = { now: Date.UTC(2026, 2, 5, 14, 7), localZone: { name: "UTC" } };
    const files = new Set<string>();
    const say = (text: string, type: string, method: string) => {
      for (const f of sayEnglish(text, sayTypeByName(type), sayMethodByName(method), ctx).files) files.add(f);
    };
    for (let n = 0; n <= 1100; n++) for (const m of ["pronounced", "iterated", "counted"]) say(String(n), "number", m);
    say("123456789", "number", "pronounced");
    say("-12.34", "currency", "pronounced");
    say("1.01", "currency", "pronounced");
    for (let y = 1990; y <= 2030; y++) say(String(y), "number", "pronounced_year");
    // Every day of a leap year and every minute of a day, both clocks.
    for (let d = 0; d < 366; d++) say(String(Date.UTC(2028, 0, 1 + d, 12) / 1000), "current_date_time", "pronounced");
    for (let m = 0; m < 24 * 60; m++) {
      for (const method of ["pronounced", "iterated"]) say(String(Date.UTC(2026, 0, 1, 0, m) / 1000), "current_time", method);
    }
    for (let d = 0; d < 10; d++) say(String(Date.UTC(2026, 2, 5 - d, 9) / 1000), "short_date_time", "pronounced");
    say("3661", "time_measurement", "pronounced");
    say("+1 (555) 010-HELP", "telephone_number", "pronounced");
    say("Jo-Anne O'Neil #7", "name_spelled", "pronounced");
    const missing = [...files].filter((f) => !f.includes("://")).map((f) => `${f}.wav`).filter((f) => !names.has(f));
    expect(missing).toEqual([]);
  });

  it("no duplicates, no empty texts", () => {
    expect(names.size).toBe(STARTER_SOUNDS.length);
    expect(STARTER_SOUNDS.filter((s) => !s.text.trim())).toEqual([]);
  });

  it("IVR_STARTER_SOUNDS=0 turns it off, anything else leaves it on", () => {
    expect(starterSoundsEnabled({})).toBe(true);
    expect(starterSoundsEnabled({ IVR_STARTER_SOUNDS: "1" })).toBe(true);
    for (const v of ["0", "off", "false", "NO"]) expect(starterSoundsEnabled({ IVR_STARTER_SOUNDS: v })).toBe(false);
  });
});

describe("making the sounds with flite and ffmpeg", () => {
  const tmp = makeTempDir("ivr-starter-");
  afterAll(() => tmp.cleanup());
  const sounds = [
    { file: "ivr/ivr-welcome.wav", text: "Welcome." },
    { file: "digits/7.wav", text: "seven" },
    { file: "x/quote.wav", text: `It's "quoted"; $(touch ${path.join(tmp.dir, "pwned")}) \`id\`` },
  ];

  it("writes 8 and 16 kHz mono 16-bit WAVs in the rate folders, of the same length, trimmed", async () => {
    const root = path.join(tmp.dir, "a");
    const r = await makeStarterSounds(root, { sounds });
    expect(r.failed).toEqual([]);
    expect(r).toMatchObject({ made: 3, present: 0 });
    for (const s of sounds) {
      const p8 = ffprobe(path.join(root, rateFolderPath(s.file, 8000)));
      const p16 = ffprobe(path.join(root, rateFolderPath(s.file, 16000)));
      expect(p8).toMatchObject({ sampleRate: 8000, channels: 1, codec: "pcm_s16le" });
      expect(p16).toMatchObject({ sampleRate: 16000, channels: 1, codec: "pcm_s16le" });
      expect(Math.abs(p8.durationSec - p16.durationSec)).toBeLessThan(0.02);
      expect(p8.durationSec).toBeGreaterThan(0.2);
    }
    // "seven" alone: flite's ~0.35 s of padding is gone.
    expect(ffprobe(path.join(root, "digits/8000/7.wav")).durationSec).toBeLessThan(0.7);
    expect(existsSync(path.join(tmp.dir, "pwned"))).toBe(false);
    expect(allFiles(root).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("never rewrites a file that is there; a second run makes nothing", async () => {
    const root = path.join(tmp.dir, "b");
    const mine = path.join(root, "ivr/8000/ivr-welcome.wav");
    mkdirSync(path.dirname(mine), { recursive: true });
    ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000:duration=0.3", "-c:a", "pcm_s16le", mine]);
    const before = readFileSync(mine);
    const r = await makeStarterSounds(root, { sounds });
    expect(r).toMatchObject({ made: 3, present: 0, failed: [] });
    expect(readFileSync(mine).equals(before)).toBe(true);
    expect(existsSync(path.join(root, "ivr/16000/ivr-welcome.wav"))).toBe(true);
    expect(await makeStarterSounds(root, { sounds })).toMatchObject({ made: 0, present: 3, failed: [] });
    expect(missingStarterSounds(root, sounds)).toEqual([]);
  });

  it("a failing flite reports each sound and leaves no file behind", async () => {
    const root = path.join(tmp.dir, "c");
    const r = await makeStarterSounds(root, { sounds, fliteBinary: path.join(tmp.dir, "no-such-flite") });
    expect(r.made).toBe(0);
    expect(r.failed.map((f) => f.file).sort()).toEqual(sounds.map((s) => s.file).sort());
    expect(existsSync(root) ? allFiles(root) : []).toEqual([]);
  });

  it("a failing ffmpeg leaves no 8 kHz or 16 kHz file", async () => {
    const root = path.join(tmp.dir, "d");
    const r = await makeStarterSounds(root, { sounds, ffmpegBinary: "false" });
    expect(r.made).toBe(0);
    expect(r.failed).toHaveLength(3);
    expect(existsSync(root) ? allFiles(root) : []).toEqual([]);
  });

  it("stopping (server shutdown) leaves only whole files", async () => {
    const root = path.join(tmp.dir, "e");
    const ac = new AbortController();
    const many = Array.from({ length: 12 }, (_, i) => ({ file: `n/${i}.wav`, text: `number ${i}` }));
    const p = makeStarterSounds(root, { sounds: many, signal: ac.signal, concurrency: 1 });
    setTimeout(() => ac.abort(), 30);
    const r = await p;
    expect(r.made).toBeLessThan(12);
    const files = existsSync(root) ? allFiles(root) : [];
    expect(files.filter((f) => f.includes(".tmp"))).toEqual([]);
    for (const f of files) expect(ffprobe(path.join(root, f)).durationSec).toBeGreaterThan(0.2);
  });

  it("ensureStarterSounds says one line when it has work, nothing when the set is complete", async () => {
    const root = path.join(tmp.dir, "f");
    const lines: string[] = [];
    const r = await ensureStarterSounds(root, (l) => lines.push(l), { sounds: sounds.slice(0, 1) });
    expect(r?.made).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`1 starter sounds`);
    expect(await ensureStarterSounds(root, (l) => lines.push(l), { sounds: sounds.slice(0, 1) })).toBeUndefined();
    expect(lines).toHaveLength(1);
  });
});

describe("playback finds FreeSWITCH's rate folders", () => {
  const tmp = makeTempDir("ivr-ratefolder-");
  afterAll(() => tmp.cleanup());
  const tone = (file: string, hz: number, sec: number) => {
    mkdirSync(path.dirname(file), { recursive: true });
    ffmpeg(["-f", "lavfi", "-i", `sine=frequency=${hz}:sample_rate=8000:duration=${sec}`, "-c:a", "pcm_s16le", file]);
  };
  const samples = async (file: string) => {
    const loader = transcodingLoader((p) => new Transcoder({ cacheDir: path.join(tmp.dir, "cache") }).transcode(p));
    const r = await openSource(file, loader);
    if (!r.ok) return r.code;
    const out = new Int16Array(80_000);
    return r.source.read(out, 0, out.length);
  };

  it("ivr/x.wav plays ivr/8000/x.wav when it is there, else ivr/x.wav itself", async () => {
    tone(path.join(tmp.dir, "ivr/8000/both.wav"), 440, 0.5);
    tone(path.join(tmp.dir, "ivr/both.wav"), 440, 1);
    tone(path.join(tmp.dir, "ivr/flat.wav"), 440, 0.25);
    tone(path.join(tmp.dir, "ivr/16000/wide-only.wav"), 440, 0.25);
    expect(await samples(path.join(tmp.dir, "ivr/both.wav"))).toBe(4000);
    expect(await samples(path.join(tmp.dir, "ivr/flat.wav"))).toBe(2000);
    expect(await samples(path.join(tmp.dir, "ivr/8000/both.wav"))).toBe(4000);
    expect(await samples(path.join(tmp.dir, "ivr/wide-only.wav"))).toBe("NOTFOUND");
  });
});
