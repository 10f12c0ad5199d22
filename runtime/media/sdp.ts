// SDP offer/answer for one audio stream (RFC 3264), on top of sdp-transform.
// We answer G.711 (PCMU/PCMA) plus RFC 4733 telephone-event; anything else is declined.
import { isIPv6 } from "node:net";
import * as sdpTransform from "sdp-transform";
import type { MediaDescription, SessionDescription } from "sdp-transform";
import { G711_PAYLOAD_TYPE, type G711Codec } from "./g711";

export type MediaDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface OfferedCodec {
  payloadType: number;
  /** Encoding name as offered (case kept), e.g. "PCMU", "opus". */
  name: string;
  clockRate: number;
  channels: number;
}

export interface ParsedOffer {
  /** Index of the first usable audio m-line in the SDP. */
  mediaIndex: number;
  remoteAddress: string;
  remotePort: number;
  protocol: string;
  /** In the order of the m-line's payload list (the offerer's preference). */
  codecs: OfferedCodec[];
  telephoneEvent?: { payloadType: number; events?: string };
  ptime?: number;
  direction: MediaDirection;
  /** Old-style hold (c=0.0.0.0) or a direction without sending towards us. */
  onHold: boolean;
  origin: { sessionId: string; sessionVersion: number };
}

export type SdpResult<T> = ({ ok: true } & T) | { ok: false; reason: string };

export interface NegotiatedMedia {
  codec: G711Codec;
  payloadType: number;
  /** Payload type of telephone-event in both directions (we echo the offer's), or undefined when not offered. */
  dtmfPayloadType?: number;
  ptime: number;
  remoteAddress: string;
  remotePort: number;
  /** Our direction, as written in the answer. */
  direction: MediaDirection;
  onHold: boolean;
}

const RTP_AVP_PROTOCOLS = new Set(["RTP/AVP", "RTP/AVPF"]);
const DEFAULT_PTIME = 20;
/** telephone-event payload type in our own offers. */
const OFFER_DTMF_PT = 101;
const MIN_PTIME = 10;
const MAX_PTIME = 60;

function staticCodec(pt: number): OfferedCodec | undefined {
  if (pt === 0) return { payloadType: 0, name: "PCMU", clockRate: 8000, channels: 1 };
  if (pt === 8) return { payloadType: 8, name: "PCMA", clockRate: 8000, channels: 1 };
  return undefined;
}

function directionOf(m: MediaDescription, session: SessionDescription): MediaDirection {
  return m.direction ?? session.direction ?? "sendrecv";
}

/** Parses an SDP offer (or a re-INVITE offer) and extracts the first audio stream. */
export function parseOffer(sdp: string): SdpResult<{ offer: ParsedOffer }> {
  const r = parseOfferSession(sdp);
  return r.ok ? { ok: true, offer: r.offer } : r;
}

function parseOfferSession(sdp: string): SdpResult<{ offer: ParsedOffer; session: SessionDescription }> {
  if (typeof sdp !== "string" || !/^v=0/m.test(sdp)) return { ok: false, reason: "not an SDP body (no v=0)" };
  let session: SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch (e) {
    return { ok: false, reason: `unparseable SDP: ${(e as Error).message}` };
  }
  const media = session.media ?? [];
  const mediaIndex = media.findIndex((m) => m.type === "audio" && m.port > 0);
  if (mediaIndex < 0) return { ok: false, reason: "no active audio m-line" };
  const m = media[mediaIndex];
  const remoteAddress = m.connection?.ip ?? session.connection?.ip;
  if (!remoteAddress) return { ok: false, reason: "no connection address (c=)" };
  const payloadTypes = String(m.payloads ?? "")
    .trim()
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  const codecs: OfferedCodec[] = [];
  let telephoneEvent: ParsedOffer["telephoneEvent"];
  for (const pt of payloadTypes) {
    const rtpmap = m.rtp?.find((r) => r.payload === pt);
    const codec: OfferedCodec | undefined = rtpmap
      ? { payloadType: pt, name: rtpmap.codec, clockRate: rtpmap.rate ?? 8000, channels: rtpmap.encoding ?? 1 }
      : staticCodec(pt);
    if (!codec) continue;
    if (codec.name.toLowerCase() === "telephone-event") {
      // Only the 8 kHz variant goes with G.711.
      if (codec.clockRate === 8000 && !telephoneEvent) telephoneEvent = { payloadType: pt, events: m.fmtp?.find((f) => f.payload === pt)?.config };
      continue;
    }
    codecs.push(codec);
  }
  const ptime = typeof m.ptime === "number" && Number.isFinite(m.ptime) && m.ptime > 0 ? m.ptime : undefined;
  const direction = directionOf(m, session);
  const onHold = remoteAddress === "0.0.0.0" || remoteAddress === "::" || direction === "sendonly" || direction === "inactive";
  return {
    ok: true,
    session,
    offer: {
      mediaIndex,
      remoteAddress,
      remotePort: m.port,
      protocol: m.protocol,
      codecs,
      telephoneEvent,
      ptime,
      direction,
      onHold,
      origin: { sessionId: String(session.origin?.sessionId ?? ""), sessionVersion: Number(session.origin?.sessionVersion ?? 0) },
    },
  };
}

const ANSWER_DIRECTION: Readonly<Record<MediaDirection, MediaDirection>> = {
  sendrecv: "sendrecv",
  sendonly: "recvonly",
  recvonly: "sendonly",
  inactive: "inactive",
};

/** Picks the first codec in the offer's order that we support (optionally restricted to `supported`). */
export function chooseCodec(offer: ParsedOffer, supported: readonly G711Codec[] = ["PCMU", "PCMA"]): { codec: G711Codec; payloadType: number } | undefined {
  for (const c of offer.codecs) {
    const name = c.name.toUpperCase();
    if ((name === "PCMU" || name === "PCMA") && c.clockRate === 8000 && c.channels === 1 && supported.includes(name)) {
      return { codec: name, payloadType: c.payloadType };
    }
  }
  return undefined;
}

function negotiatePtime(offered: number | undefined): number {
  if (offered === undefined) return DEFAULT_PTIME;
  const rounded = Math.round(offered / 10) * 10;
  return Math.min(MAX_PTIME, Math.max(MIN_PTIME, rounded));
}

export interface SdpAnswererOptions {
  /** Our media address, written in c= and o=. */
  address: string;
  /** o= username; default "ivr-studio". */
  username?: string;
  /** o= session id; default random. */
  sessionId?: string;
  supportedCodecs?: readonly G711Codec[];
}

/**
 * One per dialog: keeps the o= session id and bumps its version on every new answer
 * (a re-INVITE's answer must carry version + 1, RFC 3264 section 8).
 */
export class SdpAnswerer {
  private readonly address: string;
  private readonly username: string;
  private readonly sessionId: string;
  private readonly supported: readonly G711Codec[];
  private version: number;
  private lastSdp: string | undefined;

  constructor(options: SdpAnswererOptions) {
    this.address = options.address;
    this.username = options.username ?? "ivr-studio";
    this.sessionId = options.sessionId ?? String(Math.floor(Math.random() * 2 ** 31) + 1);
    this.supported = options.supportedCodecs ?? ["PCMU", "PCMA"];
    this.version = Math.floor(Math.random() * 2 ** 20);
  }

  /** The answer last produced (for re-sending the same SDP, e.g. in a 200 retransmission). */
  get current(): string | undefined {
    return this.lastSdp;
  }

  /**
   * Answers `offerSdp` with our RTP `port`. `{ ok: false }` means nothing acceptable was offered
   * (the SIP layer answers 488 Not Acceptable Here).
   */
  answer(offerSdp: string, port: number): SdpResult<{ sdp: string; media: NegotiatedMedia }> {
    const parsed = parseOfferSession(offerSdp);
    if (!parsed.ok) return parsed;
    const { offer, session: offerSession } = parsed;
    if (!RTP_AVP_PROTOCOLS.has(offer.protocol)) return { ok: false, reason: `unsupported transport ${offer.protocol}` };
    const chosen = chooseCodec(offer, this.supported);
    if (!chosen) return { ok: false, reason: `no common codec (offered: ${offer.codecs.map((c) => c.name).join(", ") || "none"})` };
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return { ok: false, reason: `bad local port ${port}` };

    const ptime = negotiatePtime(offer.ptime);
    const direction = ANSWER_DIRECTION[offer.direction];
    if (this.lastSdp !== undefined) this.version++;
    const ipVer = isIPv6(this.address) ? 6 : 4;

    const payloads = [chosen.payloadType];
    const rtp: MediaDescription["rtp"] = [{ payload: chosen.payloadType, codec: chosen.codec, rate: 8000 }];
    const fmtp: MediaDescription["fmtp"] = [];
    if (offer.telephoneEvent) {
      payloads.push(offer.telephoneEvent.payloadType);
      rtp.push({ payload: offer.telephoneEvent.payloadType, codec: "telephone-event", rate: 8000 });
      fmtp.push({ payload: offer.telephoneEvent.payloadType, config: "0-16" });
    }
    // Every offered m-line gets an answer line in the same order; the ones we don't use are rejected with port 0.
    const media: MediaDescription[] = offerSession.media.map((m, i): MediaDescription => {
      if (i === offer.mediaIndex) {
        return { type: "audio", port, protocol: offer.protocol, payloads: payloads.join(" "), rtp, fmtp, ptime, direction };
      }
      const firstPt = String(m.payloads ?? "0").trim().split(/\s+/)[0] || "0";
      return { type: m.type, port: 0, protocol: m.protocol, payloads: firstPt, rtp: [], fmtp: [] };
    });
    const answer: SessionDescription = {
      version: 0,
      origin: { username: this.username, sessionId: this.sessionId, sessionVersion: this.version, netType: "IN", ipVer, address: this.address },
      name: this.username,
      connection: { version: ipVer, ip: this.address },
      timing: { start: 0, stop: 0 },
      media,
    };
    const sdp = sdpTransform.write(answer);
    this.lastSdp = sdp;
    return {
      ok: true,
      sdp,
      media: {
        codec: chosen.codec,
        payloadType: chosen.payloadType,
        dtmfPayloadType: offer.telephoneEvent?.payloadType,
        ptime,
        remoteAddress: offer.remoteAddress,
        remotePort: offer.remotePort,
        direction,
        onHold: offer.onHold,
      },
    };
  }

  /**
   * Our own offer, for an INVITE that came without one (RFC 3261 13.2.1: the UAS puts the offer
   * in its 2xx): every supported codec, telephone-event on 101, ptime 20.
   */
  offer(port: number): string {
    if (this.lastSdp !== undefined) this.version++;
    const ipVer = isIPv6(this.address) ? 6 : 4;
    const pts = this.supported.map((c) => G711_PAYLOAD_TYPE[c]);
    const desc: SessionDescription = {
      version: 0,
      origin: { username: this.username, sessionId: this.sessionId, sessionVersion: this.version, netType: "IN", ipVer, address: this.address },
      name: this.username,
      connection: { version: ipVer, ip: this.address },
      timing: { start: 0, stop: 0 },
      media: [
        {
          type: "audio",
          port,
          protocol: "RTP/AVP",
          payloads: [...pts, OFFER_DTMF_PT].join(" "),
          rtp: [
            ...this.supported.map((c) => ({ payload: G711_PAYLOAD_TYPE[c], codec: c, rate: 8000 })),
            { payload: OFFER_DTMF_PT, codec: "telephone-event", rate: 8000 },
          ],
          fmtp: [{ payload: OFFER_DTMF_PT, config: "0-16" }],
          ptime: DEFAULT_PTIME,
          direction: "sendrecv",
        },
      ],
    };
    const sdp = sdpTransform.write(desc);
    this.lastSdp = sdp;
    return sdp;
  }

  /** Read the peer's answer to our offer (the ACK of a late-offer INVITE). */
  readAnswer(answerSdp: string): SdpResult<{ media: NegotiatedMedia }> {
    const parsed = parseOffer(answerSdp);
    if (!parsed.ok) return parsed;
    const a = parsed.offer;
    const chosen = chooseCodec(a, this.supported);
    if (!chosen) return { ok: false, reason: `the answer has no codec we offered (${a.codecs.map((c) => c.name).join(", ") || "none"})` };
    return {
      ok: true,
      media: {
        codec: chosen.codec,
        payloadType: chosen.payloadType,
        dtmfPayloadType: a.telephoneEvent?.payloadType,
        ptime: negotiatePtime(a.ptime),
        remoteAddress: a.remoteAddress,
        remotePort: a.remotePort,
        direction: ANSWER_DIRECTION[a.direction],
        onHold: a.onHold,
      },
    };
  }
}

