// Record, then play back what was recorded, over real SIP/RTP. A hand-driven caller (SIP on one
// UDP socket, RTP on another) sends a 1 kHz tone; the script records it with recordFile, then
// plays the recording back; the caller decodes what comes back. Checked: the WAV on disk (ffprobe:
// 8 kHz mono 16-bit, length = the record limit), its content (Goertzel: 1 kHz dominates), the call
// log (streamFile 1, playback_ms = the recording's length), and the tone in the audio received.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { readWav } from "../../runtime/media/wav";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";
import { okFor, rawUac } from "./support/raw-uac";
import { RtpCaller } from "./support/rtp-caller";

const TONE_HZ = 1000;
const AMPLITUDE = 8000;
const RECORD_SECONDS = 1;
const OTHER_HZ = [400, 700, 1400, 2000, 3000];

const recDir = mkdtempSync(path.join(tmpdir(), "ivr-rt-rec-"));
const file = path.join(recDir, "caller.wav");
let ivr: IvrFixture;
beforeAll(async () => {
  ivr = await startIvr({ rtpPorts: [44200, 44299], routes: { "5000": `record-and-play.ts ${file} ${RECORD_SECONDS}` } });
});
afterAll(async () => {
  await ivr?.stop();
  rmSync(recDir, { recursive: true, force: true });
});

function ffprobe(file: string) {
  const out = execFileSync("ffprobe", ["-v", "error", "-show_entries", "stream=sample_rate,channels,codec_name,bits_per_sample:format=duration", "-of", "json", file]);
  const j = JSON.parse(out.toString()) as { streams: Record<string, string | number>[]; format: { duration: string } };
  return { ...j.streams[0], duration: Number(j.format.duration) };
}

const sine = (ms: number) => {
  const pcm = new Int16Array(ms * 8);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / 8000));
  return pcm;
};

/** The 1 kHz tone's power over the strongest other probe frequency, in dB. */
function toneDominanceDb(pcm: Int16Array): number {
  const tone = tonePower(pcm, TONE_HZ);
  const other = Math.max(...OTHER_HZ.map((f) => tonePower(pcm, f)));
  return 10 * Math.log10(tone / Math.max(other, 1e-9));
}

describe("record then play back", () => {
  it("records the caller's tone to a valid WAV and plays it back to the caller", async () => {
    const target = ivr.log;
    const uac = await rawUac(ivr.port);
    const rtp = await RtpCaller.open();
    try {
      const sdp = `v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
      const head = (method: string, cseq: number, toTag = "") =>
        `${method} sip:5000@127.0.0.1:${ivr.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bKrec${cseq}${method};rport\r\n` +
        `From: <sip:caller@127.0.0.1:${uac.port}>;tag=rec1\r\nTo: <sip:5000@127.0.0.1>${toTag}\r\nCall-ID: record-play@test\r\nCSeq: ${cseq} ${method}\r\n` +
        `Contact: <sip:caller@127.0.0.1:${uac.port}>\r\nMax-Forwards: 70\r\n`;
      await uac.send(`${head("INVITE", 1)}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
      const ok = await uac.waitFor(/^SIP\/2\.0 200 /);
      const toTag = /^To:.*?(;tag=[^;\r\n]+)/im.exec(ok)?.[1] ?? "";
      const mediaPort = Number(/m=audio (\d+)/.exec(ok)?.[1]);
      expect(mediaPort).toBeGreaterThanOrEqual(44200);
      await uac.send(`${head("ACK", 1, toTag)}Content-Length: 0\r\n\r\n`);
      // 1.6 s of tone: covers the 1 s recording with margin at both ends
      await rtp.send(sine(1600), mediaPort);
      // the playback (1 s) runs while we send and just after: wait for it to finish
      const until = Date.now() + 4000;
      while (!target.some((e) => "method" in e && e.method === "getVariable") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await uac.send(`${head("BYE", 2, toTag)}Content-Length: 0\r\n\r\n`);
      await uac.waitFor(/^SIP\/2\.0 200 [^]*CSeq: 2 BYE/i);
    } finally {
      uac.close();
      rtp.close();
    }
    const call = await ivr.callTo("5000");

    // the WAV on disk
    const probe = ffprobe(file);
    expect(probe).toMatchObject({ codec_name: "pcm_s16le", sample_rate: "8000", channels: 1, bits_per_sample: 16 });
    expect(probe.duration).toBeGreaterThan(RECORD_SECONDS - 0.1);
    expect(probe.duration).toBeLessThan(RECORD_SECONDS + 0.15);
    const wav = readWav(readFileSync(file));
    if (!wav.ok || !wav.samples) throw new Error(`recording unreadable: ${wav.ok ? "not 16-bit mono" : wav.reason}`);
    // content: skip the first 100 ms (RTP starts a moment after the answer)
    const body = wav.samples.subarray(800);
    expect(toneDominanceDb(body)).toBeGreaterThan(30);
    const rms = Math.sqrt(body.reduce((a, v) => a + v * v, 0) / body.length);
    expect(rms).toBeGreaterThan((AMPLITUDE / Math.SQRT2) * 0.8);
    expect(rms).toBeLessThan((AMPLITUDE / Math.SQRT2) * 1.2);

    // the call log: recordFile ended by its limit, the recording played to the end
    expect(call.results("recordFile")).toEqual([1]);
    expect(call.results("streamFile")).toEqual([1]);
    const playbackMs = Number(call.results("getVariable")[0]);
    expect(Math.abs(playbackMs - probe.duration * 1000)).toBeLessThan(60);

    // what the caller heard: the recorded tone came back
    const heard = rtp.audio();
    expect(heard.length).toBeGreaterThan(8000 * RECORD_SECONDS);
    const loud = heard.filter((v) => Math.abs(v) > AMPLITUDE / 2).length;
    expect(loud / 8000).toBeGreaterThan(0.5 * RECORD_SECONDS); // a sine is above half its peak 2/3 of the time
    expect(toneDominanceDb(heard)).toBeGreaterThan(20);
  });
});
