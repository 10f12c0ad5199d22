// The file policy a route gives its calls, and CallMedia asking it before every playback and
// recording: a flow's files stay under the sounds and recordings folders whatever the path,
// sound_prefix or variables say; a hand-installed (trusted) script reaches any path.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CallMedia } from "../../runtime/call-media";
import { FilePolicy, isInside } from "../../runtime/file-policy";
import type { MediaStreamHandle } from "../../runtime/media/engine";
import { compileRoute } from "../../runtime/routes";
import { Channel } from "../../runtime/session/channel";
import type { FliteTts } from "../../runtime/speech/tts";

const base = mkdtempSync(path.join(tmpdir(), "ivr-files-"));
const sounds = path.join(base, "sounds");
const recordings = path.join(base, "recordings");
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("FilePolicy", () => {
  const confined = new FilePolicy("confined", { sounds: [sounds], recordings });

  it("isInside is lexical and exact about the boundary", () => {
    expect(isInside("/srv/rec", "/srv/rec/a/b.wav")).toBe(true);
    expect(isInside("/srv/rec", "/srv/rec/..data.wav")).toBe(true);
    expect(isInside("/srv/rec", "/srv/rec/../x.wav")).toBe(false);
    expect(isInside("/srv/rec", "/srv/recordings2/x.wav")).toBe(false);
    expect(isInside("/srv/rec", "/etc/passwd")).toBe(false);
  });

  it("confined: plays under the sounds or recordings folder only", () => {
    expect(confined.canRead(path.join(sounds, "ivr/welcome.wav"))).toEqual({ ok: true });
    expect(confined.canRead(path.join(recordings, "vm/1.wav"))).toEqual({ ok: true });
    const r = confined.canRead("/etc/passwd");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.rule).toContain(`the sounds folder ${sounds}`);
    expect(confined.canRead(path.join(sounds, "../../etc/passwd")).ok).toBe(false);
    expect(confined.canRead("http://evil.test/a.wav").ok).toBe(false);
    expect(confined.canRead(`${sounds}/a\0.wav`).ok).toBe(false);
  });

  it("confined: records under the recordings folder only", () => {
    expect(confined.canWrite(path.join(recordings, "vm/1.wav"))).toEqual({ ok: true });
    expect(confined.canWrite(path.join(sounds, "ivr/welcome.wav")).ok).toBe(false);
    expect(confined.canWrite(recordings).ok).toBe(false);
    const r = confined.canWrite("/tmp/x/PWNED.wav");
    expect(!r.ok && r.rule).toBe(`a flow records only under the recordings folder ${recordings}`);
  });

  it("trusted: any path, as FreeSWITCH does for its own scripts", () => {
    const trusted = new FilePolicy("trusted", { sounds: [sounds], recordings });
    expect(trusted.canRead("/etc/passwd")).toEqual({ ok: true });
    expect(trusted.canWrite("/tmp/x/PWNED.wav")).toEqual({ ok: true });
  });
});

describe("routes", () => {
  it("are confined unless whoever builds them says the script is trusted", () => {
    expect(compileRoute({ pattern: "1000", target: "flow.ts" }).files).toBe("confined");
    expect(compileRoute({ pattern: "1000", target: "ivr.lua", files: "trusted" }).files).toBe("trusted");
  });
});

/** A media stream that records what the engine was asked to open. */
function fakeStream() {
  const played: string[] = [];
  const recorded: string[] = [];
  const stream = {
    play: async (spec: string) => {
      played.push(spec);
      return { reason: "eof", ms: 100, samples: 800 };
    },
    record: async (args: { path: string }) => {
      recorded.push(args.path);
      return { path: args.path, reason: "time-limit", returnValue: 1, recordMs: 1000, recordSamples: 8000, recordSeconds: 1, silenceHitsExhausted: false };
    },
    stopPlay: async () => undefined,
    stopRecord: async () => undefined,
    controlPlay: async () => undefined,
  } as unknown as MediaStreamHandle;
  return { stream, played, recorded };
}

function media(access: "confined" | "trusted") {
  const f = fakeStream();
  const lines: string[] = [];
  const channel = new Channel("u1");
  const tts = { synthesize: async () => path.join(base, "tts-cache", "abc.wav") } as unknown as FliteTts;
  const m = new CallMedia(f.stream, channel, sounds, tts, (level, msg) => lines.push(`[${level}] ${msg}`), recordings);
  m.setFileAccess(access);
  return { m, channel, lines, ...f };
}

const rec = { maxSeconds: 1, silenceThreshold: 0, silenceSeconds: 0 };

describe("CallMedia asks the route's policy", () => {
  it("refuses a flow's playback outside the roots: the play fails, the engine is never asked, an [err] names path and rule", async () => {
    const { m, played, lines } = media("confined");
    const r = await m.play("/etc/passwd").done;
    expect(r.reason).toBe("error");
    expect(played).toEqual([]);
    expect(lines).toEqual([`[err] Playing "/etc/passwd" refused: a flow plays files only under the sounds folder ${sounds} or the recordings folder ${recordings}`]);
    expect((await m.play("../../../etc/passwd").done).reason).toBe("error");
    expect((await m.play("file_string://ivr/a.wav!/etc/passwd").done).reason).toBe("error");
    expect((await m.play("FILE_STRING://ivr/a.wav!/etc/passwd").done).reason).toBe("error");
    expect((await m.play("http://169.254.169.254/latest").done).reason).toBe("error");
    expect(played).toEqual([]);
  });

  it("a flow that points sound_prefix elsewhere is still held to the roots", async () => {
    const { m, channel, played } = media("confined");
    channel.setVar("sound_prefix", "/etc");
    expect((await m.play("passwd").done).reason).toBe("error");
    channel.setVar("sound_prefix", path.join(sounds, "en"));
    expect((await m.play("ivr/welcome.wav").done).reason).toBe("done");
    expect(played).toEqual([path.join(sounds, "en/ivr/welcome.wav")]);
  });

  it("plays a flow's prompts, generated tones, its recordings and its own TTS", async () => {
    const { m, played } = media("confined");
    await m.play("ivr/welcome.wav").done;
    await m.play("tone_stream://%(500,0,800)").done;
    await m.play("silence_stream://200").done;
    await m.play("file_string://ivr/a.wav!silence_stream://100").done;
    await m.play(path.join(recordings, "vm/1.wav")).done;
    const tts = await m.synthesize("flite", "kal", "hello");
    await m.play(tts).done;
    expect(played).toEqual([
      path.join(sounds, "ivr/welcome.wav"),
      "tone_stream://%(500,0,800)",
      "silence_stream://200",
      `file_string://${path.join(sounds, "ivr/a.wav")}!silence_stream://100`,
      path.join(recordings, "vm/1.wav"),
      tts,
    ]);
  });

  it("refuses a flow's recording outside the recordings folder and creates nothing", async () => {
    const { m, recorded, lines } = media("confined");
    const target = path.join(base, "x", "PWNED.wav");
    const r = await m.record(target, rec).done;
    expect(r.reason).toBe("error");
    expect(recorded).toEqual([]);
    expect(existsSync(path.dirname(target))).toBe(false);
    expect(lines).toEqual([`[err] Recording to ${JSON.stringify(target)} refused: a flow records only under the recordings folder ${recordings}`]);
    expect((await m.record(path.join(recordings, "../escape.wav"), rec).done).reason).toBe("error");
    expect((await m.record("../escape.wav", rec).done).reason).toBe("error");
    expect(recorded).toEqual([]);
  });

  it("records a flow's relative and absolute paths inside the recordings folder", async () => {
    const { m, recorded } = media("confined");
    expect((await m.record("vm/a.wav", rec).done).reason).toBe("limit");
    expect((await m.record(path.join(recordings, "vm/b.wav"), rec).done).reason).toBe("limit");
    expect(recorded).toEqual([path.join(recordings, "vm/a.wav"), path.join(recordings, "vm/b.wav")]);
  });

  it("a trusted script reaches any path; a transfer to a flow's route confines the call from then on", async () => {
    const { m, played, recorded } = media("trusted");
    const anywhere = path.join(base, "elsewhere", "a.wav");
    expect((await m.play("/etc/hostname").done).reason).toBe("done");
    expect((await m.record(anywhere, rec).done).reason).toBe("limit");
    expect(played).toEqual(["/etc/hostname"]);
    expect(recorded).toEqual([anywhere]);
    m.setFileAccess("confined");
    expect((await m.play("/etc/hostname").done).reason).toBe("error");
    expect((await m.record(anywhere, rec).done).reason).toBe("error");
  });
});
