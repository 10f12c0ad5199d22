// MediaEngine over several media workers: streams spread by load, two streams with one affinity key
// on the same worker, each stream's requests and events on its own worker, per-worker port shares,
// cached prompts played identically from every worker.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaEngine, type DtmfEvent, type MediaStreamHandle } from "../../runtime/media/engine";
import { decodeG711, encodeG711 } from "../../runtime/media/g711";
import { splitPortRange } from "../../runtime/media/shards";
import { buildDtmfPackets } from "../../runtime/media/dtmf-rfc4733";
import { RtpPacket } from "../../runtime/media/rtp";
import { wavHeader } from "../../runtime/media/wav";
import { RtpPeer, sleep } from "./support/rtp-peer";
import { ffmpeg, makeTempDir } from "./support/tools";

const tmp = makeTempDir();
const RANGE: [number, number] = [44700, 44799];
let engine: MediaEngine;
let prompt: string;
let promptPcm: Int16Array;

beforeAll(async () => {
  engine = await MediaEngine.start({ cacheDir: join(tmp.dir, "cache"), portRange: RANGE, workers: 3 });
  promptPcm = Int16Array.from({ length: 4000 }, (_, i) => Math.round(9000 * Math.sin((2 * Math.PI * 600 * i) / 8000)));
  prompt = join(tmp.dir, "prompt.wav");
  writeFileSync(prompt, Buffer.concat([wavHeader(8000, promptPcm.byteLength), Buffer.from(promptPcm.buffer)]));
});
afterAll(async () => {
  await engine?.close();
  tmp.cleanup();
});

describe("MediaEngine with 3 media workers", () => {
  it("spreads streams over the workers, each on a port of its worker's share, ids unique", async () => {
    const shares = splitPortRange(RANGE, 3);
    const streams: MediaStreamHandle[] = [];
    for (let i = 0; i < 6; i++) streams.push(await engine.createStream({ codec: "PCMU" }));
    try {
      expect(engine.workerCount).toBe(3);
      expect(streams.map((s) => s.worker).sort()).toEqual([0, 0, 1, 1, 2, 2]);
      for (const s of streams) expect(s.port >= shares[s.worker][0] && s.port <= shares[s.worker][1]).toBe(true);
      expect(new Set(streams.map((s) => s.id)).size).toBe(6);
      const st = await engine.stats();
      expect(st.streams).toBe(6);
      expect(st.workers.map((w) => w.streams)).toEqual([2, 2, 2]);
    } finally {
      for (const s of streams) await s.close();
    }
    expect((await engine.stats()).streams).toBe(0);
  });

  it("opens a stream on a socket its worker bound ahead (the port at once), binds another, and the stream hears packets sent at once", async () => {
    const full = () => engine.readyPorts().every((ports) => ports.length === 8);
    const untilFull = async () => {
      for (let i = 0; i < 200 && !full(); i++) await sleep(10);
      expect(engine.readyPorts().map((p) => p.length)).toEqual([8, 8, 8]);
    };
    await untilFull();
    const before = engine.readyPorts();
    const peer = await RtpPeer.open();
    const streams: MediaStreamHandle[] = [];
    try {
      streams.push(...(await Promise.all(Array.from({ length: 12 }, () => engine.createStream({ codec: "PCMU", remote: { address: "127.0.0.1", port: peer.port } })))));
      for (const s of streams) expect(before[s.worker]).toContain(s.port);
      const first = streams[0];
      const pkt = new RtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 160, ssrc: 77, payload: new Uint8Array(160).fill(0xff) }).serialize();
      await peer.send(pkt, first.port);
      let received = 0;
      for (let i = 0; i < 200 && received === 0; i++) {
        received = (await first.stats()).packetsReceived;
        if (!received) await sleep(10);
      }
      expect(received).toBe(1);
      // The workers bind replacements, leaving 8 ports of their share unheld for binds on demand.
      const evens = splitPortRange(RANGE, 3).map(([lo, hi]) => Math.floor((hi - (lo % 2 ? lo + 1 : lo)) / 2) + 1);
      const expected = evens.map((n, w) => Math.min(8, n - streams.filter((s) => s.worker === w).length - 8));
      for (let i = 0; i < 200 && engine.readyPorts().some((p, w) => p.length < expected[w]); i++) await sleep(10);
      expect(engine.readyPorts().map((p) => p.length)).toEqual(expected);
      expect(engine.readyPorts().flat().some((p) => streams.some((s) => s.port === p))).toBe(false);
      // More at once than the workers hold ready, near the end of each worker's 16 ports: the rest
      // bind on demand (the ready set leaves them room); every port distinct.
      streams.push(...(await Promise.all(Array.from({ length: 24 }, () => engine.createStream({ codec: "PCMU" })))));
      expect(new Set(streams.map((s) => s.port)).size).toBe(36);
    } finally {
      peer.close();
      for (const s of streams) await s.close();
    }
    await untilFull();
  });

  it("refuses a stream the worker would refuse before handing out a ready socket", async () => {
    await expect(engine.createStream({ codec: "PCMU", ptime: 25 })).rejects.toThrow(/ptime 25 not supported/);
    expect((await engine.stats()).streams).toBe(0);
  });

  it("puts the two legs of a call (same affinity key) on one worker, even against the load", async () => {
    const a = await engine.createStream({ codec: "PCMU", affinity: "call-1" });
    const fillers = [await engine.createStream({ codec: "PCMU" }), await engine.createStream({ codec: "PCMU" }), await engine.createStream({ codec: "PCMU" })];
    const loads = (await engine.stats()).workers.map((w) => w.streams);
    expect(loads[a.worker]).toBeGreaterThan(Math.min(...loads)); // a's worker is not the least loaded now
    const b = await engine.createStream({ codec: "PCMA", affinity: "call-1" });
    try {
      expect(b.worker).toBe(a.worker);
    } finally {
      for (const s of [a, ...fillers, b]) await s.close();
    }
  });

  it("plays a cached prompt from every worker bit-exact, and each worker reports its own DTMF", async () => {
    const peer = await RtpPeer.open();
    const streams: MediaStreamHandle[] = [];
    for (let i = 0; i < 3; i++) streams.push(await engine.createStream({ codec: i === 1 ? "PCMA" : "PCMU", dtmfPt: 101, remote: { address: "127.0.0.1", port: peer.port } }));
    try {
      expect(new Set(streams.map((s) => s.worker)).size).toBe(3);
      const digits = streams.map(() => [] as DtmfEvent[]);
      streams.forEach((s, i) => s.on("dtmf", (d) => digits[i].push(d)));
      // twice each: the second play comes from the worker's prompt cache
      for (let round = 0; round < 2; round++) {
        const done = await Promise.all(streams.map((s) => s.play(prompt)));
        for (const d of done) expect(d).toMatchObject({ reason: "eof", samples: 4000 });
      }
      for (const [i, s] of streams.entries()) {
        const codec = i === 1 ? "PCMA" : "PCMU";
        const audio = peer.received.filter((r) => r.from.port === s.port && r.packet.payload.some((b) => b !== (codec === "PCMU" ? 0xff : 0xd5)));
        const bytes = Buffer.concat(audio.map((r) => Buffer.from(r.packet.payload)));
        const expected = Buffer.from(encodeG711(codec, promptPcm));
        // both plays, back to back or apart: each is the whole prompt, exactly
        const first = bytes.indexOf(expected.subarray(0, 160));
        expect(first).toBeGreaterThanOrEqual(0);
        expect(bytes.subarray(first, first + expected.length).equals(expected)).toBe(true);
        expect(decodeG711(codec, bytes.subarray(first, first + 160)).length).toBe(160);
      }
      // a digit to each stream: it is reported on that stream only
      for (const [i, s] of streams.entries()) {
        for (const [k, p] of buildDtmfPackets(String(i + 1), { durationMs: 100, ptimeMs: 20 }).entries()) {
          await peer.send(new RtpPacket({ payloadType: 101, sequenceNumber: 100 + k, timestamp: 8000, ssrc: 77 + i, marker: p.marker, payload: p.payload }).serialize(), s.port);
        }
      }
      for (let t = 0; t < 100 && digits.some((d) => d.length === 0); t++) await sleep(20);
      expect(digits.map((d) => d.map((e) => e.digit).join(""))).toEqual(["1", "2", "3"]);
    } finally {
      for (const s of streams) await s.close();
      peer.close();
    }
  });

  it("a media worker that dies takes only its own streams; new streams go to the others", async () => {
    const tmp2 = makeTempDir();
    const e2 = await MediaEngine.start({ cacheDir: join(tmp2.dir, "cache"), portRange: [44600, 44699], workers: 2 });
    try {
      const a = await e2.createStream({ codec: "PCMU" });
      const b = await e2.createStream({ codec: "PCMU" });
      expect(a.worker).not.toBe(b.worker);
      const peer = await RtpPeer.open();
      await a.update({ remote: { address: "127.0.0.1", port: peer.port } });
      const playing = a.play("tone_stream://%(1000,0,500);loops=-1"); // endless, until its worker goes
      await peer.until(() => peer.received.some((r) => r.packet.payload.some((b) => b !== 0xff))); // the worker plays it
      await sleep(100); // and its answer to play() is in
      peer.close();
      // kill a's worker from outside, as a crash would
      await (e2 as unknown as { channels: { worker: { terminate(): Promise<number> } }[] }).channels[a.worker].worker.terminate();
      expect(await playing).toMatchObject({ reason: "closed" });
      await expect(a.play("silence_stream://20")).rejects.toThrow(/exited/);
      // b and its worker go on
      expect(await b.play("silence_stream://40")).toMatchObject({ reason: "eof" });
      const c = await e2.createStream({ codec: "PCMA" });
      expect(c.worker).toBe(b.worker);
      expect((await e2.stats()).workers.length).toBe(1);
      await c.close();
      await b.close();
    } finally {
      await e2.close();
      tmp2.cleanup();
    }
  });

  it("plays an mp3: a worker has it converted by ffmpeg through the engine's spawn helper", async () => {
    const mp3 = join(tmp.dir, "tone.mp3");
    ffmpeg(["-f", "lavfi", "-i", "sine=frequency=600:sample_rate=22050:duration=0.6", "-c:a", "libmp3lame", "-b:a", "32k", mp3]);
    const s = await engine.createStream({ codec: "PCMU" });
    try {
      const done = await s.play(mp3);
      expect(done.reason).toBe("eof");
      expect(Math.abs(done.ms - 600)).toBeLessThan(120);
      const helper = (engine as unknown as { spawner: { pid?: number } }).spawner;
      expect(helper.pid).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
  });
});
