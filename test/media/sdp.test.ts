import { readFileSync } from "node:fs";
import * as sdpTransform from "sdp-transform";
import { describe, expect, it } from "vitest";
import { parseOffer, SdpAnswerer } from "../../runtime/media/sdp";

const crlf = (lines: string[]) => lines.join("\r\n") + "\r\n";

// SIPp's built-in "uac" scenario offer (sipp -sd uac), placeholders filled in.
const SIPP_UAC_OFFER = crlf([
  "v=0",
  "o=user1 53655765 2353687637 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 6000 RTP/AVP 0",
  "a=rtpmap:0 PCMU/8000",
]);

// SIPp's "uac_pcap" scenario offer (PCMA + telephone-event 101).
const SIPP_PCAP_OFFER = crlf([
  "v=0",
  "o=user1 53655765 2353687637 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 6002 RTP/AVP 8 101",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-11,16",
]);

// Captured from baresip 1.0.0 dialling us (opus, G722, PCMU, PCMA, telephone-event).
const BARESIP_OFFER = readFileSync(new URL("./fixtures/baresip-offer.sdp", import.meta.url), "utf8");

const holdOffer = (direction: string, version: number, address = "127.0.0.1") =>
  crlf([
    "v=0",
    `o=- 103060798 ${version} IN IP4 127.0.0.1`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    "m=audio 35134 RTP/AVP 8 0 101",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    `a=${direction}`,
    "a=ptime:30",
  ]);

function answerOk(a: SdpAnswerer, sdp: string, port = 35000) {
  const r = a.answer(sdp, port);
  if (!r.ok) throw new Error(r.reason);
  return { ...r, parsed: sdpTransform.parse(r.sdp) };
}

describe("parseOffer", () => {
  it("reads baresip's offer: codecs in order, telephone-event PT, ptime, address", () => {
    const r = parseOffer(BARESIP_OFFER);
    if (!r.ok) throw new Error(r.reason);
    expect(r.offer.remoteAddress).toBe("127.0.0.1");
    expect(r.offer.remotePort).toBe(35134);
    expect(r.offer.codecs.map((c) => `${c.payloadType}:${c.name}`)).toEqual(["96:opus", "9:G722", "0:PCMU", "8:PCMA"]);
    expect(r.offer.telephoneEvent).toEqual({ payloadType: 101, events: "0-15" });
    expect(r.offer.ptime).toBe(20);
    expect(r.offer.direction).toBe("sendrecv");
    expect(r.offer.onHold).toBe(false);
  });

  it("knows static payload types without rtpmap and media-level c= overrides session-level", () => {
    const r = parseOffer(crlf(["v=0", "o=- 1 1 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0", "m=audio 4000 RTP/AVP 8 0", "c=IN IP4 10.0.0.2"]));
    if (!r.ok) throw new Error(r.reason);
    expect(r.offer.codecs.map((c) => c.name)).toEqual(["PCMA", "PCMU"]);
    expect(r.offer.remoteAddress).toBe("10.0.0.2");
    expect(r.offer.ptime).toBeUndefined();
  });

  it("reports garbage and missing pieces as reasons", () => {
    expect(parseOffer("hello").ok).toBe(false);
    expect(parseOffer(crlf(["v=0", "o=- 1 1 IN IP4 1.2.3.4", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 0"])).ok).toBe(false); // no c=
    expect(parseOffer(crlf(["v=0", "o=- 1 1 IN IP4 1.2.3.4", "s=-", "c=IN IP4 1.2.3.4", "t=0 0", "m=video 4000 RTP/AVP 96"])).ok).toBe(false);
  });
});

describe("SdpAnswerer", () => {
  it("answers SIPp's PCMU offer: our address and port, PCMU only, ptime 20, no events", () => {
    const { parsed, media } = answerOk(new SdpAnswerer({ address: "192.0.2.10", sessionId: "777" }), SIPP_UAC_OFFER, 35002);
    expect(parsed.connection?.ip).toBe("192.0.2.10");
    expect(parsed.origin.address).toBe("192.0.2.10");
    expect(String(parsed.origin.sessionId)).toBe("777");
    const m = parsed.media[0];
    expect(m.port).toBe(35002);
    expect(String(m.payloads)).toBe("0");
    expect(m.rtp).toEqual([{ payload: 0, codec: "PCMU", rate: 8000 }]);
    expect(m.ptime).toBe(20);
    expect(m.direction).toBe("sendrecv");
    expect(media).toMatchObject({ codec: "PCMU", payloadType: 0, dtmfPayloadType: undefined, remotePort: 6000 });
  });

  it("answers SIPp's PCMA + telephone-event offer with the offer's event PT and fmtp 0-16", () => {
    const { parsed, media } = answerOk(new SdpAnswerer({ address: "127.0.0.1" }), SIPP_PCAP_OFFER);
    const m = parsed.media[0];
    expect(m.payloads).toBe("8 101");
    expect(m.rtp.map((r) => r.codec)).toEqual(["PCMA", "telephone-event"]);
    expect(m.fmtp).toEqual([{ payload: 101, config: "0-16" }]);
    expect(media.codec).toBe("PCMA");
    expect(media.dtmfPayloadType).toBe(101);
  });

  it("picks the first supported codec in the offer's order (baresip: PCMU after opus and G722)", () => {
    expect(answerOk(new SdpAnswerer({ address: "127.0.0.1" }), BARESIP_OFFER).media.codec).toBe("PCMU");
    const pcmaOnly = new SdpAnswerer({ address: "127.0.0.1", supportedCodecs: ["PCMA"] });
    expect(answerOk(pcmaOnly, BARESIP_OFFER).media.codec).toBe("PCMA");
  });

  it("honours the offer's ptime and answers hold directions", () => {
    const a = new SdpAnswerer({ address: "127.0.0.1" });
    const first = answerOk(a, holdOffer("sendrecv", 1));
    expect(first.media.ptime).toBe(30);
    expect(first.parsed.media[0].ptime).toBe(30);
    expect(first.media.codec).toBe("PCMA");
    const hold = answerOk(a, holdOffer("sendonly", 2));
    expect(hold.parsed.media[0].direction).toBe("recvonly");
    expect(hold.media.onHold).toBe(true);
    const inactive = answerOk(a, holdOffer("inactive", 3));
    expect(inactive.parsed.media[0].direction).toBe("inactive");
    const recvonly = answerOk(a, holdOffer("recvonly", 4));
    expect(recvonly.parsed.media[0].direction).toBe("sendonly");
    const oldStyle = answerOk(a, holdOffer("sendrecv", 5, "0.0.0.0"));
    expect(oldStyle.media.onHold).toBe(true);
    const resumed = answerOk(a, holdOffer("sendrecv", 6));
    expect(resumed.media.onHold).toBe(false);
    // o= keeps its session id and the version goes up by one per answer
    const versions = [first, hold, inactive, recvonly, oldStyle, resumed].map((r) => r.parsed.origin.sessionVersion);
    expect(new Set([first, resumed].map((r) => String(r.parsed.origin.sessionId))).size).toBe(1);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBe(versions[0] + i);
    expect(a.current).toBe(resumed.sdp);
  });

  it("keeps every offered m-line, rejecting the ones it does not use with port 0", () => {
    const offer = crlf([
      "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
      "m=video 5000 RTP/AVP 96", "a=rtpmap:96 VP8/90000",
      "m=audio 5002 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000",
    ]);
    const { parsed } = answerOk(new SdpAnswerer({ address: "127.0.0.1" }), offer);
    expect(parsed.media.map((m) => `${m.type} ${m.port}`)).toEqual(["video 0", "audio 35000"]);
  });

  it("refuses (for a 488) when no codec matches, SRTP is required, or ptime is silly", () => {
    const a = new SdpAnswerer({ address: "127.0.0.1" });
    const opusOnly = crlf(["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 5000 RTP/AVP 96 101", "a=rtpmap:96 opus/48000/2", "a=rtpmap:101 telephone-event/48000"]);
    const r = a.answer(opusOnly, 35000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/no common codec.*opus/);
    const srtp = SIPP_UAC_OFFER.replace("RTP/AVP", "RTP/SAVP");
    expect(a.answer(srtp, 35000).ok).toBe(false);
    expect(a.current).toBeUndefined();
    const weirdPtime = SIPP_UAC_OFFER + "a=ptime:1000\r\n";
    expect(answerOk(a, weirdPtime).media.ptime).toBe(60);
  });

  it("writes IPv6 addresses with IP6", () => {
    const { sdp } = answerOk(new SdpAnswerer({ address: "::1" }), SIPP_UAC_OFFER);
    expect(sdp).toMatch(/^c=IN IP6 ::1\r$/m);
  });
});
