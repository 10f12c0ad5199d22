// An INVITE without SDP (late offer, RFC 3261 13.2.1): the IVR offers in its 200 OK and takes the
// caller's answer from the ACK. The caller answers PCMA (not our first codec), sends a tone that
// the script records and plays back: hearing it back as PCMA proves the stream switched codec.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";
import { rawUac } from "./support/raw-uac";
import { RtpCaller } from "./support/rtp-caller";

const dir = mkdtempSync(path.join(tmpdir(), "ivr-late-offer-"));
const file = path.join(dir, "late.wav");
let ivr: IvrFixture;
beforeAll(async () => {
  ivr = await startIvr({ rtpPorts: [44600, 44649], routes: { "5100": `record-and-play.ts ${file} 1` } });
});
afterAll(async () => {
  await ivr?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sine = (ms: number, hz: number) => {
  const pcm = new Int16Array(ms * 8);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  return pcm;
};

describe("late offer", () => {
  it("offers in the 200 OK, takes the answer from the ACK, and switches to the answered codec", async () => {
    const uac = await rawUac(ivr.port);
    const rtp = await RtpCaller.open();
    try {
      const head = (method: string, cseq: number, toTag = "") =>
        `${method} sip:5100@127.0.0.1:${ivr.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bKlate${cseq}${method};rport\r\n` +
        `From: <sip:caller@127.0.0.1:${uac.port}>;tag=late1\r\nTo: <sip:5100@127.0.0.1>${toTag}\r\nCall-ID: late-offer@test\r\nCSeq: ${cseq} ${method}\r\n` +
        `Contact: <sip:caller@127.0.0.1:${uac.port}>\r\nMax-Forwards: 70\r\n`;
      await uac.send(`${head("INVITE", 1)}Content-Length: 0\r\n\r\n`);
      const ok = await uac.waitFor(/^SIP\/2\.0 200 /);
      // our offer: both G.711 codecs and telephone-event
      const m = /m=audio (\d+) RTP\/AVP ([\d ]+)/.exec(ok);
      expect(m?.[2].trim().split(" ")).toEqual(["0", "8", "101"]);
      expect(ok).toMatch(/a=rtpmap:101 telephone-event\/8000/);
      const mediaPort = Number(m?.[1]);
      const toTag = /^To:.*?(;tag=[^;\r\n]+)/im.exec(ok)?.[1] ?? "";
      const answer = `v=0\r\no=late 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
      await uac.send(`${head("ACK", 1, toTag)}Content-Type: application/sdp\r\nContent-Length: ${answer.length}\r\n\r\n${answer}`);
      await rtp.send(sine(1500, 1000), mediaPort);
      const until = Date.now() + 4000;
      while (!ivr.log.some((e) => "method" in e && e.method === "getVariable") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await uac.send(`${head("BYE", 2, toTag)}Content-Length: 0\r\n\r\n`);
      await uac.waitFor(/^SIP\/2\.0 200 [^]*CSeq: 2 BYE/i);
    } finally {
      uac.close();
      rtp.close();
    }
    const call = await ivr.callTo("5100");
    expect(call.results("recordFile")).toEqual([1]);
    expect(call.results("streamFile")).toEqual([1]);
    // The caller only decodes PCMA: the recorded tone came back in the codec it answered.
    const heard = rtp.audio();
    expect(heard.length).toBeGreaterThan(8000);
    expect(tonePower(heard, 1000)).toBeGreaterThan(100 * tonePower(heard, 1400));
  });
});
