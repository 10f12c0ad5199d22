import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaEngine, type DtmfEvent, type MediaStreamHandle } from "../../runtime/media/engine";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { decodeG711, encodeG711 } from "../../runtime/media/g711";
import { RtpPacket } from "../../runtime/media/rtp";
import { renderToneStream } from "../../runtime/media/sources";
import { readWav } from "../../runtime/media/wav";
import { readPcapUdp } from "./support/pcap";
import { nextEvent, RtpPeer, sleep } from "./support/rtp-peer";
import { makeTempDir } from "./support/tools";

const tmp = makeTempDir();
let engine: MediaEngine;
let engineB: MediaEngine;

beforeAll(async () => {
  [engine, engineB] = await Promise.all([
    MediaEngine.start({ cacheDir: join(tmp.dir, "cache"), portRange: [42000, 42499] }),
    MediaEngine.start({ cacheDir: join(tmp.dir, "cacheB"), portRange: [42500, 42999] }),
  ]);
});
afterAll(async () => {
  await Promise.all([engine?.close(), engineB?.close()]);
  tmp.cleanup();
});

const isSilence = (p: RtpPacket) => p.payload.every((b) => b === 0xff);

/** An RTP packet carrying `pcm` as PCMU. */
function pcmuPacket(seq: number, ts: number, pcm: Int16Array, marker = false): Buffer {
  return new RtpPacket({ payloadType: 0, sequenceNumber: seq, timestamp: ts, ssrc: 0x1234, marker, payload: encodeG711("PCMU", pcm) }).serialize();
}

/** Sends PCM as 20 ms PCMU packets, paced every `everyMs`. */
async function sendPcm(peer: RtpPeer, port: number, pcm: Int16Array, startSeq = 1, everyMs = 20): Promise<void> {
  for (let i = 0, k = 0; i + 160 <= pcm.length; i += 160, k++) {
    await peer.send(pcmuPacket(startSeq + k, (startSeq + k) * 160, pcm.subarray(i, i + 160), k === 0), port);
    await sleep(everyMs);
  }
}

function collectDtmf(s: MediaStreamHandle): DtmfEvent[] {
  const out: DtmfEvent[] = [];
  s.on("dtmf", (e) => out.push(e));
  return out;
}

async function waitFor(pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error("waitFor: timed out");
    await sleep(10);
  }
}

describe("MediaEngine: sending", () => {
  it("plays a 1 s tone_stream as ~50 paced packets: continuous seq/timestamps, marker, the right tone", async () => {
    const peer = await RtpPeer.open();
    // A generous catch-up: a VM stall (seen up to ~170 ms here) must not make the stream skip frames.
    const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port }, symmetric: false, maxCatchUpFrames: 100 });
    expect(s.port % 2).toBe(0);
    expect(s.port).toBeGreaterThanOrEqual(42000);
    await peer.until(() => peer.received.length >= 3); // silence flows before anything plays
    const done = await s.play("tone_stream://%(1000,0,1000)");
    expect(done).toMatchObject({ reason: "eof", ms: 1000, samples: 8000 });
    await sleep(100);
    const stats = await s.close();
    peer.close();

    const pk = peer.received.map((r) => r.packet);
    // one SSRC, no gaps in sequence numbers, timestamps step by 160
    expect(new Set(pk.map((p) => p.ssrc)).size).toBe(1);
    for (let i = 1; i < pk.length; i++) {
      expect((pk[i].sequenceNumber - pk[i - 1].sequenceNumber) & 0xffff).toBe(1);
      expect((pk[i].timestamp - pk[i - 1].timestamp) >>> 0).toBe(160);
      expect(pk[i].payload.length).toBe(160);
    }
    expect(pk[0].marker).toBe(true);
    const toneIdx = pk.map((p, i) => (isSilence(p) ? -1 : i)).filter((i) => i >= 0);
    expect(toneIdx.length).toBe(50);
    expect(toneIdx[49] - toneIdx[0]).toBe(49); // contiguous
    expect(pk[toneIdx[0]].marker).toBe(true); // talkspurt start
    expect(pk.filter((p) => p.marker).length).toBe(2);
    const tone = new Int16Array(50 * 160);
    toneIdx.forEach((i, k) => tone.set(decodeG711("PCMU", pk[i].payload), k * 160));
    expect(tonePower(tone, 1000)).toBeGreaterThan(1000 * tonePower(tone, 1300));
    // paced in real time (generous bounds: a stall is followed by a burst)
    const arrivals = toneIdx.map((i) => peer.received[i].at);
    const spread = arrivals[49] - arrivals[0];
    expect(spread).toBeGreaterThan(500);
    expect(spread).toBeLessThan(3000);
    expect(stats.packetsSent).toBeGreaterThanOrEqual(pk.length);
    expect(stats.maxLatenessMs).toBeLessThan(1000);
  });

  it("reports NOTFOUND, stop and close outcomes of playbacks", async () => {
    const peer = await RtpPeer.open();
    const s = await engine.createStream({ codec: "PCMA", remote: { address: "127.0.0.1", port: peer.port } });
    expect(await s.play(join(tmp.dir, "missing.wav"))).toMatchObject({ reason: "notfound", ms: 0 });
    const endless = s.play("silence_stream://0");
    await sleep(200);
    await s.stopPlay();
    const stopped = await endless;
    expect(stopped.reason).toBe("stopped");
    expect(stopped.ms).toBeGreaterThan(0);
    expect(stopped.ms).toBeLessThan(2000);
    const replaced = s.play("tone_stream://%(5000,0,440)");
    await sleep(50);
    const second = s.play("silence_stream://40");
    expect((await replaced).reason).toBe("stopped");
    expect((await second).reason).toBe("eof");
    const cut = s.play("silence_stream://0");
    await sleep(50);
    await s.close();
    expect((await cut).reason).toBe("closed");
    peer.close();
    // PCMA silence is 0xD5
    expect(peer.received.some((r) => r.packet.payloadType === 8 && r.packet.payload.every((b) => b === 0xd5))).toBe(true);
  });

  it("sends nothing while on hold (sending: false) and resumes after", async () => {
    const peer = await RtpPeer.open();
    const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port } });
    await peer.until(() => peer.received.length >= 2);
    await s.update({ sending: false });
    // wait until what was already in flight has landed: 150 ms without a packet
    for (let last = -1; last !== peer.received.length; ) {
      last = peer.received.length;
      await sleep(150);
    }
    const held = peer.received.length;
    await sleep(300);
    expect(peer.received.length).toBe(held);
    await s.update({ sending: true });
    await peer.until(() => peer.received.length >= held + 3);
    const st = await s.close();
    expect(st.internalErrors).toBe(0);
    peer.close();
  });

  it("latches onto where the caller really sends from (symmetric RTP)", async () => {
    const peer = await RtpPeer.open();
    const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: 9 } });
    const latched = nextEvent<{ address: string; port: number }>((fn) => s.on("latched", fn));
    await peer.send(pcmuPacket(1, 160, new Int16Array(160)), s.port);
    expect(await latched).toEqual({ address: "127.0.0.1", port: peer.port });
    await peer.until(() => peer.received.length >= 3);
    expect((await s.stats()).latchedRemote).toEqual({ address: "127.0.0.1", port: peer.port });
    await s.close();
    peer.close();
  });
});

describe("MediaEngine: receiving", () => {
  it("turns SIPp's RFC 4733 packets into one digit each", async () => {
    const peer = await RtpPeer.open();
    const s = await engine.createStream({ codec: "PCMA", dtmfPt: 101, remote: { address: "127.0.0.1", port: peer.port } });
    const digits = collectDtmf(s);
    for (const name of ["1", "star", "0", "pound"]) {
      for (const d of readPcapUdp(`/usr/share/sip-tester/dtmf_2833_${name}.pcap`)) await peer.send(d.payload, s.port);
      await sleep(5);
    }
    await waitFor(() => digits.length >= 4);
    await sleep(100);
    expect(digits.map((d) => d.digit).join("")).toBe("1*0#");
    expect(digits.every((d) => d.source === "rfc4733" && d.durationMs === 280)).toBe(true);
    await s.close();
    peer.close();
  });

  it("engine to engine: sendDtmf arrives as RFC 4733 digits", async () => {
    const b = await engineB.createStream({ codec: "PCMU", dtmfPt: 101 });
    const a = await engine.createStream({ codec: "PCMU", dtmfPt: 101, remote: { address: "127.0.0.1", port: b.port }, maxCatchUpFrames: 100 });
    const digits = collectDtmf(b);
    await a.sendDtmf("42#", 80);
    await waitFor(() => digits.length >= 3);
    expect(digits.map((d) => d.digit).join("")).toBe("42#");
    expect(digits[0].durationMs).toBe(80);
    await Promise.all([a.close(), b.close()]);
  });

  it("in-band DTMF: detected when switched on, ignored when off", async () => {
    const b = await engineB.createStream({ codec: "PCMU" });
    const a = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: b.port }, maxCatchUpFrames: 100 });
    const digits = collectDtmf(b);
    await a.play("tone_stream://d=80;w=80;159");
    await sleep(100);
    expect(digits).toEqual([]);
    await b.startInbandDtmf();
    await a.play("tone_stream://d=80;w=80;37*D");
    await waitFor(() => digits.length >= 4);
    expect(digits.map((d) => d.digit).join("")).toBe("37*D");
    expect(digits.every((d) => d.source === "inband")).toBe(true);
    await b.stopInbandDtmf();
    await a.play("tone_stream://d=80;w=80;0");
    await sleep(100);
    expect(digits.length).toBe(4);
    await Promise.all([a.close(), b.close()]);
  });

  it("records incoming audio to a WAV identical to what was sent, ending at max_len", async () => {
    const peer = await RtpPeer.open();
    // no silence filling unless the sender (this test process) stalls for over 2 s
    const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port }, recordGapFillMs: 2000 });
    // 2 s of a 500 Hz tone whose level rises, so every frame is different
    const pcm = Int16Array.from({ length: 16000 }, (_, i) => Math.round((1000 + i / 2) * Math.sin((2 * Math.PI * 500 * i) / 8000)));
    const path = join(tmp.dir, "rec.wav");
    const recording = s.record({ path, maxLenSecs: 1 });
    const sending = sendPcm(peer, s.port, pcm, 100, 10);
    const done = await recording;
    await sending;
    expect(done).toMatchObject({ reason: "time-limit", returnValue: 1, recordSamples: 8000, recordMs: 1000, recordSeconds: 1, path });
    const wav = readWav(readFileSync(path));
    if (!wav.ok || !wav.samples) throw new Error("bad wav");
    expect(wav.samples.length).toBe(8000);
    const sent = decodeG711("PCMU", encodeG711("PCMU", pcm));
    // the recording is a contiguous run of what was sent, frame aligned
    const start = sent.findIndex((_, i) => i % 160 === 0 && sent[i] === wav.samples![0] && sent[i + 1] === wav.samples![1] && sent[i + 2] === wav.samples![2]);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(Array.from(wav.samples)).toEqual(Array.from(sent.subarray(start, start + 8000)));
    await s.close();
    peer.close();
  });

  it("recording ends on silence, and on hangup with return value 0", async () => {
    const peer = await RtpPeer.open();
    const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port } });
    const bySilence = s.record({ path: join(tmp.dir, "sil.wav"), silenceThreshold: 200, silenceSecs: 1 });
    const quiet = new Int16Array(8000 * 2); // the caller sends 2 s of silence, fast
    const sending = sendPcm(peer, s.port, quiet, 1, 5);
    const r1 = await bySilence;
    await sending;
    expect(r1).toMatchObject({ reason: "silence", returnValue: 1, silenceHitsExhausted: true });
    expect(r1.recordMs).toBeGreaterThanOrEqual(1000);
    const cut = s.record({ path: join(tmp.dir, "cut.wav"), maxLenSecs: 30 });
    await sleep(150);
    await s.close();
    expect(await cut).toMatchObject({ reason: "hangup", returnValue: 0 });
    peer.close();
  });

  it("recording with no RTP at all still ends by its time limit (silence is recorded at the clock's pace)", async () => {
    const s = await engine.createStream({ codec: "PCMU" });
    const r = await s.record({ path: join(tmp.dir, "none.wav"), maxLenSecs: 1 });
    expect(r).toMatchObject({ reason: "time-limit", returnValue: 1, recordSamples: 8000 });
    await s.close();
  });

  it("fires mediaTimeout when the caller goes quiet, mediaResumed when it comes back; counts loss", async () => {
    const peer = await RtpPeer.open();
    const s = await engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port }, mediaTimeoutMs: 300 });
    const frame = new Int16Array(160);
    await peer.send(pcmuPacket(10, 1600, frame), s.port);
    await peer.send(pcmuPacket(11, 1760, frame), s.port);
    await peer.send(pcmuPacket(15, 2400, frame), s.port); // 3 lost
    const timeout = await nextEvent<{ silentMs: number }>((fn) => s.on("mediaTimeout", fn), 3000);
    expect(timeout.silentMs).toBeGreaterThanOrEqual(300);
    const resumed = nextEvent((fn) => s.on("mediaResumed", fn), 3000);
    await peer.send(pcmuPacket(16, 2560, frame), s.port);
    await resumed;
    await peer.send(Buffer.from("not rtp"), s.port);
    await peer.send(new RtpPacket({ payloadType: 96, sequenceNumber: 17, timestamp: 2720, ssrc: 0x1234, payload: new Uint8Array(10) }).serialize(), s.port);
    await sleep(50);
    const st = await s.stats();
    expect(st).toMatchObject({ lost: 3, invalidPackets: 1, unknownPayloadTypes: 1 });
    expect(st.packetsReceived).toBe(5);
    await s.close();
    peer.close();
  });
});

describe("MediaEngine: errors", () => {
  it("rejects bad requests with clear errors and keeps working", async () => {
    await expect(engine.createStream({ codec: "PCMU", ptime: 25 })).rejects.toThrow(/ptime/);
    const s = await engine.createStream({ codec: "PCMU" });
    await expect(s.sendDtmf("1")).rejects.toThrow(/telephone-event/);
    await s.close();
    await expect(s.stats()).rejects.toThrow(/no stream/);
    const r = renderToneStream("%(20,0,440)");
    expect(r.ok).toBe(true);
  });
});
