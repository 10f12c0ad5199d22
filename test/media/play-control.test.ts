// Input-callback file-handle commands on a playback: pause, seek, restart, volume.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { MediaEngine } from "../../runtime/media/engine";
import { decodeG711 } from "../../runtime/media/g711";
import { RtpPacket } from "../../runtime/media/rtp";
import { RtpPeer, sleep } from "./support/rtp-peer";
import { makeTempDir } from "./support/tools";

const tmp = makeTempDir();
let engine: MediaEngine;
beforeAll(async () => {
  engine = await MediaEngine.start({ cacheDir: join(tmp.dir, "cache"), portRange: [43000, 43099] });
});
afterAll(async () => {
  await engine?.close();
  tmp.cleanup();
});

const isSilence = (p: RtpPacket) => p.payload.every((b) => b === 0xff);
const audioOf = (pk: RtpPacket[]) => {
  const out = new Int16Array(pk.length * 160);
  pk.forEach((p, k) => out.set(decodeG711("PCMU", p.payload), k * 160));
  return out;
};
const rms = (a: Int16Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / Math.max(1, a.length));

async function open() {
  const peer = await RtpPeer.open();
  const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port }, symmetric: false, maxCatchUpFrames: 100 });
  await peer.until(() => peer.received.length >= 2);
  return { peer, s };
}

describe("playback control", () => {
  it("pause holds the prompt (silence, no progress) until the next pause", async () => {
    const { peer, s } = await open();
    const t0 = Date.now();
    const done = s.play("tone_stream://%(600,0,1000)");
    await sleep(150);
    await s.controlPlay({ action: "pause" });
    await sleep(400);
    await s.controlPlay({ action: "pause" });
    const d = await done;
    const elapsed = Date.now() - t0;
    await s.close();
    peer.close();
    expect(d).toMatchObject({ reason: "eof", samples: 4800 });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    // tone, then a run of silence while paused, then tone again
    const kinds = peer.received.map((r) => (isSilence(r.packet) ? "s" : "t")).join("").replace(/^s+/, "").replace(/s+$/, "");
    expect(kinds).toMatch(/^t+s{10,}t+$/);
  });

  it("seek:+ms skips ahead, restart goes back to the start", async () => {
    const { peer, s } = await open();
    const done = s.play("tone_stream://%(500,0,440);%(500,0,1000)");
    await s.controlPlay({ action: "seek", ms: 500, relative: true });
    const d = await done;
    await sleep(60);
    peer.close();
    const tone = peer.received.map((r) => r.packet).filter((p) => !isSilence(p));
    const audio = audioOf(tone);
    // Mostly the second (1000 Hz) half was heard; the whole took well under the full second.
    expect(tonePower(audio, 1000)).toBeGreaterThan(5 * tonePower(audio, 440));
    expect(tone.length).toBeLessThan(40);
    expect(d.reason).toBe("eof");

    const peer2 = await RtpPeer.open();
    await s.update({ remote: { address: "127.0.0.1", port: peer2.port } });
    const t0 = Date.now();
    const again = s.play("tone_stream://%(400,0,1000)");
    await sleep(250);
    await s.controlPlay({ action: "restart" });
    await again;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    await s.close();
    peer2.close();
  });

  it("volume:-4 plays about 12 dB quieter", async () => {
    const { peer, s } = await open();
    const loud = s.play("tone_stream://%(300,0,1000)");
    await loud;
    const n = peer.received.length;
    const quiet = s.play("tone_stream://%(300,0,1000)");
    await s.controlPlay({ action: "volume", value: -4, relative: false });
    await quiet;
    await sleep(60);
    await s.close();
    peer.close();
    const pk = peer.received.map((r) => r.packet);
    const a = audioOf(pk.slice(0, n).filter((p) => !isSilence(p)));
    const b = audioOf(pk.slice(n).filter((p) => !isSilence(p)).slice(3)); // after the change took effect
    const ratio = rms(b) / rms(a);
    expect(ratio).toBeGreaterThan(0.15);
    expect(ratio).toBeLessThan(0.4);
  });
});
