// The main-menu example's operator branch on the runtime: a desk phone (Debian's baresip,
// auto-answer) registers as user 1000 with its password; the caller presses 0, the flow bridges to
// user/1000, the phone answers, and audio flows both ways while they talk.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { readWav, wavHeader } from "../../runtime/media/wav";
import { parseUserSpec } from "../../runtime/outbound/destinations";
import { freeUdpPort } from "../sip/sipp-harness";
import { Baresip, hasBaresip } from "../runtime/support/baresip";
import { examplePrompts, flowScript, startIvr, type IvrFixture } from "../runtime/support/ivr-fixture";
import { rawUac } from "../runtime/support/raw-uac";
import { RtpCaller } from "../runtime/support/rtp-caller";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function until(what: string, check: () => boolean, ms = 8000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sine = (ms: number, hz: number) => Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)));

describe.skipIf(!hasBaresip)("main-menu's operator: user/1000 on a registered desk phone", () => {
  for (const lang of ["lua", "ts"] as const) {
    it(`0 at the main menu reaches baresip as user 1000, audio both ways (${lang})`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "ivr-operator-"));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      const ivr: IvrFixture = await startIvr({
        rtpPorts: lang === "lua" ? [45600, 45649] : [45650, 45699],
        sipTimers: { T1: 500 },
        routes: { "7000": flowScript(dir, "main-menu", lang) },
        prompts: examplePrompts("main-menu"),
        outbound: { users: [parseUserSpec("1000:desk-secret-1000")] },
      });
      cleanup.push(() => ivr.stop());
      const account = `<sip:1000@127.0.0.1:${ivr.port}>;auth_user=1000;auth_pass=desk-secret-1000;answermode=auto;regint=600`;
      // The phone says 1000 Hz (an 8 kHz WAV) and keeps what it hears (sndfile).
      const toneFile = path.join(dir, "desk-1000hz.wav");
      const pcm = sine(10_000, 1000);
      writeFileSync(toneFile, Buffer.concat([wavHeader(8000, pcm.length * 2), Buffer.from(pcm.buffer)]));
      const dumps = mkdtempSync(path.join(dir, "dumps-"));
      const desk = await Baresip.start(await freeUdpPort(), await freeUdpPort(), account, { audioFile: toneFile, dumpDir: dumps });
      cleanup.push(() => desk.stop());
      await until("baresip's registration as 1000", () => ivr.server.isRegistered("1000"));

      const uac = await rawUac(ivr.port);
      const rtp = await RtpCaller.open();
      cleanup.push(() => uac.close(), () => rtp.close());
      const sdp = `v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
      const head = (method: string, cseq: number, toTag = "") =>
        `${method} sip:7000@127.0.0.1:${ivr.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bKop${cseq}${method};rport\r\n` +
        `From: <sip:caller@127.0.0.1:${uac.port}>;tag=op1\r\nTo: <sip:7000@127.0.0.1>${toTag}\r\nCall-ID: operator-${lang}@test\r\nCSeq: ${cseq} ${method}\r\n` +
        `Contact: <sip:caller@127.0.0.1:${uac.port}>\r\nMax-Forwards: 70\r\n`;
      await uac.send(`${head("INVITE", 1)}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
      const ok = await uac.waitFor(/^SIP\/2\.0 200 /);
      const mediaPort = Number(/m=audio (\d+)/.exec(ok)?.[1]);
      const toTag = /^To:.*?(;tag=[^;\r\n]+)/im.exec(ok)?.[1] ?? "";
      await uac.send(`${head("ACK", 1, toTag)}Content-Length: 0\r\n\r\n`);
      const info = "Signal=0\r\nDuration=160\r\n";
      await uac.send(`${head("INFO", 2, toTag)}Content-Type: application/dtmf-relay\r\nContent-Length: ${info.length}\r\n\r\n${info}`);
      await desk.waitForEvent("CALL_ESTABLISHED", 10_000);
      const before = rtp.received.length;
      await rtp.send(sine(1500, 440), mediaPort);
      const heardPackets = rtp.received.length - before;
      const heard = rtp.audio().subarray(before * 160);
      await desk.waitForEvent("CALL_RTPESTAB", 2000);
      await uac.send(`${head("BYE", 3, toTag)}Content-Length: 0\r\n\r\n`);
      await uac.waitFor(/^SIP\/2\.0 200 [^]*CSeq: 3 BYE/i);
      // The caller leaving ends the desk phone's leg too.
      await desk.waitForEvent("CALL_CLOSED", 5000);

      const call = await ivr.callTo("7000");
      const bridge = call.methods.find((m) => m.method === "execute" && m.node === "operator");
      expect(bridge?.args).toEqual(["bridge", "user/1000"]);
      expect(ivr.lines.some((l) => /^debug Originate Resulted in Success: \[user\/1000\]/.test(l)), ivr.lines.join("\n")).toBe(true);
      // The caller left during the bridge: the flow's hangup hook ends the script there.
      expect(ivr.lines.some((l) => l.includes("the call ended in node operator"))).toBe(true);
      // 1.5 s of talking, 50 packets a second each way: the phone's 1000 Hz reached the caller...
      expect(heardPackets).toBeGreaterThan(50);
      expect(tonePower(heard, 1000)).toBeGreaterThan(1e5);
      // ...and the caller's 440 Hz reached the phone (what baresip decoded, in its dump files).
      await desk.stop();
      const decoded = readdirSync(dumps)
        .filter((f) => f.endsWith(".wav"))
        .map((f) => readWav(readFileSync(path.join(dumps, f))))
        .map((w) => (w.ok && w.samples ? tonePower(w.samples, 440) : 0));
      expect(Math.max(0, ...decoded)).toBeGreaterThan(1e5);
      expect(call.end.cause).toBe("NORMAL_CLEARING");
    });
  }
});
