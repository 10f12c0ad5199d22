// Interop with a real peer: SIPp offers PCMA + telephone-event, we answer with SdpAnswerer and a
// media-engine stream; SIPp then plays its g711a.pcap and the RFC 2833 pcaps for '1' and '#'.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MediaEngine, type DtmfEvent, type MediaStreamHandle } from "../../runtime/media/engine";
import { SdpAnswerer, type NegotiatedMedia } from "../../runtime/media/sdp";
import { readWav } from "../../runtime/media/wav";
import { startMiniUas } from "./support/mini-uas";
import { readPcapUdp } from "./support/pcap";
import { makeTempDir } from "./support/tools";

const tmp = makeTempDir();
let engine: MediaEngine;
beforeAll(async () => {
  engine = await MediaEngine.start({ cacheDir: join(tmp.dir, "cache"), portRange: [43000, 43499] });
});
afterAll(async () => {
  await engine?.close();
  tmp.cleanup();
});

/** A free UDP-ish port number for SIPp (probed on TCP; fine on a quiet loopback). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

describe("interop with SIPp", () => {
  it("answers SIPp's offer, receives its PCMA audio and RFC 2833 digits, sends to its media port", async () => {
    const answerer = new SdpAnswerer({ address: "127.0.0.1" });
    let media: NegotiatedMedia | undefined;
    const digits: DtmfEvent[] = [];
    let recording: Promise<unknown> | undefined;
    const pending: Promise<void>[] = [];
    const stream: MediaStreamHandle = await engine.createStream({ codec: "PCMA", dtmfPt: 101 });
    const wavPath = join(tmp.dir, "sipp-in.wav");
    const server = await startMiniUas((offer) => {
      const r = answerer.answer(offer, stream.port);
      if (!r.ok) return undefined;
      media = r.media;
      pending.push(stream.update({ remote: { address: r.media.remoteAddress, port: r.media.remotePort } }));
      recording = stream.record({ path: wavPath, maxLenSecs: 30 });
      return r.sdp;
    });
    stream.on("dtmf", (d) => digits.push(d));

    const [sipPort, mediaPort] = [await freePort(), await freePort()];
    const scenario = new URL("./fixtures/sipp-media-uac.xml", import.meta.url).pathname;
    const sipp = spawn("sipp", [`127.0.0.1:${server.port}`, "-sf", scenario, "-m", "1", "-i", "127.0.0.1", "-p", String(sipPort), "-mp", String(mediaPort), "-timeout", "20s", "-timeout_error", "-nostdin", "-nd"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    sipp.stderr.on("data", (d) => (stderr += d));
    const exitCode = await new Promise<number | null>((r) => sipp.on("exit", (c) => r(c)));
    await server.byeReceived;
    server.close();
    await Promise.all(pending);
    await stream.stopRecord();
    await recording;
    const stats = await stream.close();

    expect(exitCode, stderr).toBe(0);
    expect(media).toMatchObject({ codec: "PCMA", payloadType: 8, dtmfPayloadType: 101, remotePort: mediaPort });
    expect(digits.map((d) => d.digit).join("")).toBe("1#");
    expect(stats.packetsReceived).toBeGreaterThan(30);
    expect(stats.packetsSent).toBeGreaterThan(50);
    expect(stats.invalidPackets).toBe(0);
    // Loopback loses nothing; the only "loss" is the jump between the two DTMF pcaps (same SSRC,
    // recorded apart), and the redundant end packets count as duplicates. Audio (its own SSRC) adds none.
    const seqs = (f: string) => readPcapUdp(`/usr/share/sip-tester/${f}`).map((d) => (d.payload[2] << 8) | d.payload[3]);
    const one = seqs("dtmf_2833_1.pcap");
    const pound = seqs("dtmf_2833_pound.pcap");
    expect(stats.lost).toBe(pound[0] - one[one.length - 1] - 1);
    expect(stats.duplicatesOrReordered).toBe(4);
    // SIPp's g711a.pcap is speech-band audio: the recording has real energy in it
    const wav = readWav(readFileSync(wavPath));
    if (!wav.ok || !wav.samples) throw new Error("bad recording");
    expect(wav.samples.length).toBeGreaterThan(4000);
    const loudSamples = wav.samples.filter((v) => Math.abs(v) > 100).length;
    expect(loudSamples).toBeGreaterThan(2000);
    // symmetric RTP latched onto a real source port (never SIPp's port-0 DTMF)
    if (stats.latchedRemote) expect(stats.latchedRemote.port).toBeGreaterThan(0);
    console.log("sipp interop stats", JSON.stringify({ received: stats.packetsReceived, sent: stats.packetsSent, lost: stats.lost, latched: stats.latchedRemote, recordedMs: wav.samples.length / 8 }));
  }, 30_000);
});
