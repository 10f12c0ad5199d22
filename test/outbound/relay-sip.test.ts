// Audio both ways through a bridge: a caller sends a 440 Hz tone in PCMA; the script bridges to
// SIPp (the callee answers PCMU and echoes every RTP packet back, -rtp_echo). The tone can only
// come back to the caller if the runtime relayed it to the callee (PCMA -> PCMU) and the echo
// back to the caller (PCMU -> PCMA).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tonePower } from "../../runtime/media/dtmf-goertzel";
import { parseGatewaySpec } from "../../runtime/outbound/destinations";
import { compileRoute } from "../../runtime/routes";
import { hasSipp, startSippUas, type SippUas } from "../sip/sipp-harness";
import { startIvr, type IvrFixture } from "../runtime/support/ivr-fixture";
import { rawUac, type RawUac } from "../runtime/support/raw-uac";
import { RtpCaller } from "../runtime/support/rtp-caller";
import { explain } from "../runtime/support/sipp";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const sine = (ms: number, hz: number) => Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)));

describe.skipIf(!hasSipp)("media between bridged legs", () => {
  it("relays RTP both ways and transcodes PCMA <-> PCMU", async () => {
    const uas: SippUas = await startSippUas("uas-answer", ["-rtp_echo"]);
    cleanup.push(() => uas.kill());
    const ivr: IvrFixture = await startIvr({
      rtpPorts: [45500, 45599],
      routes: {},
      // RFC 3261's T1: no INVITE retransmissions while SIPp is slow to answer on a busy machine.
      sipTimers: { T1: 500 },
      outbound: { gateways: [parseGatewaySpec(`echo=127.0.0.1:${uas.port};allow=2XXX`)] },
    });
    cleanup.push(() => ivr.stop());
    const script = path.join(ivr.dir, "bridge.lua");
    writeFileSync(script, `session:answer()\nsession:execute("bridge", "sofia/gateway/echo/2000")\n`);
    ivr.server.setRoutes([compileRoute({ pattern: "5000", target: script })]);

    const uac: RawUac = await rawUac(ivr.port);
    const rtp = await RtpCaller.open();
    cleanup.push(() => uac.close(), () => rtp.close());
    const sdp = `v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
    const head = (method: string, cseq: number, toTag = "") =>
      `${method} sip:5000@127.0.0.1:${ivr.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bKrelay${cseq}${method};rport\r\n` +
      `From: <sip:caller@127.0.0.1:${uac.port}>;tag=relay1\r\nTo: <sip:5000@127.0.0.1>${toTag}\r\nCall-ID: relay@test\r\nCSeq: ${cseq} ${method}\r\n` +
      `Contact: <sip:caller@127.0.0.1:${uac.port}>\r\nMax-Forwards: 70\r\n`;
    await uac.send(`${head("INVITE", 1)}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
    const ok = await uac.waitFor(/^SIP\/2\.0 200 /);
    const mediaPort = Number(/m=audio (\d+)/.exec(ok)?.[1]);
    const toTag = /^To:.*?(;tag=[^;\r\n]+)/im.exec(ok)?.[1] ?? "";
    await uac.send(`${head("ACK", 1, toTag)}Content-Length: 0\r\n\r\n`);
    // Wait until the far end answered (the bridge is up), then talk.
    const until = Date.now() + 5000;
    while (!ivr.lines.some((l) => l.includes("New outbound leg")) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const before = rtp.received.length;
    await rtp.send(sine(1500, 440), mediaPort);
    await new Promise((r) => setTimeout(r, 300));
    const heard = rtp.audio().subarray(before * 160);
    await uac.send(`${head("BYE", 2, toTag)}Content-Length: 0\r\n\r\n`);
    await uac.waitFor(/^SIP\/2\.0 200 [^]*CSeq: 2 BYE/i);
    const callee = await uas.done;
    expect(callee.code, explain(callee)).toBe(0);
    // 1.5 s of tone sent at 50 packets/s: most of it comes back, as the tone and not as silence.
    expect(rtp.received.length - before).toBeGreaterThan(60);
    // (a full-scale 440 Hz tone measures ~3e7 here, silence ~0)
    expect(tonePower(heard, 440)).toBeGreaterThan(1e5);
    expect(tonePower(heard, 440)).toBeGreaterThan(50 * tonePower(heard, 1000));
  });

  it("a far end that answers and then sends no RTP is hung up after the media timeout (MEDIA_TIMEOUT)", async () => {
    const uas: SippUas = await startSippUas("../outbound/sipp/uas-answer-silent");
    cleanup.push(() => uas.kill());
    const ivr: IvrFixture = await startIvr({
      rtpPorts: [45500, 45599],
      routes: {},
      sipTimers: { T1: 500 },
      mediaTimeoutSec: 2,
      outbound: { gateways: [parseGatewaySpec(`dead=127.0.0.1:${uas.port};allow=2XXX`)] },
    });
    cleanup.push(() => ivr.stop());
    const script = path.join(ivr.dir, "bridge.lua");
    writeFileSync(
      script,
      `session:answer()\nsession:execute("bridge", "sofia/gateway/dead/2000")\n` +
        `freeswitch.consoleLog("notice", "after " .. tostring(session:getVariable("last_bridge_hangup_cause")) .. "\\n")\nsession:hangup()\n`,
    );
    ivr.server.setRoutes([compileRoute({ pattern: "5000", target: script })]);
    const uac: RawUac = await rawUac(ivr.port);
    const rtp = await RtpCaller.open();
    cleanup.push(() => uac.close(), () => rtp.close());
    const sdp = `v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtp.port} RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n`;
    const head = (method: string, cseq: number, toTag = "") =>
      `${method} sip:5000@127.0.0.1:${ivr.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bKdead${cseq}${method};rport\r\n` +
      `From: <sip:caller@127.0.0.1:${uac.port}>;tag=dead1\r\nTo: <sip:5000@127.0.0.1>${toTag}\r\nCall-ID: dead@test\r\nCSeq: ${cseq} ${method}\r\n` +
      `Contact: <sip:caller@127.0.0.1:${uac.port}>\r\nMax-Forwards: 70\r\n`;
    await uac.send(`${head("INVITE", 1)}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
    const ok = await uac.waitFor(/^SIP\/2\.0 200 /);
    const mediaPort = Number(/m=audio (\d+)/.exec(ok)?.[1]);
    const toTag = /^To:.*?(;tag=[^;\r\n]+)/im.exec(ok)?.[1] ?? "";
    await uac.send(`${head("ACK", 1, toTag)}Content-Length: 0\r\n\r\n`);
    // The caller keeps talking (its own leg stays alive) while the far end stays silent.
    await rtp.send(sine(4000, 440), mediaPort);
    const callee = await uas.done;
    expect(callee.code, explain(callee)).toBe(0);
    await uac.waitFor(/^BYE /, 3000);
    expect(ivr.lines.some((l) => l.trim() === "notice after MEDIA_TIMEOUT"), ivr.lines.join("\n")).toBe(true);
  });
});
