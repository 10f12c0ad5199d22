// Test harness: a SIP stack on an in-memory loop network with a fake clock, and a scripted peer.
import {
  createSipStack, FakeTimers, LoopNetwork, type Call, type SipMessage, type SipRequest, type SipResponse,
  type SipTimerConfig, type Endpoint, type SipResolver, type SipStackOptions, staticResolver,
} from "../../runtime/sip/index";
import { flushMicrotasks } from "../../runtime/sip/timers";

export const SERVER: Endpoint = { address: "10.0.0.1", port: 5060 };
export const PEER: Endpoint = { address: "10.0.0.2", port: 5070 };

export const OFFER = [
  "v=0", "o=caller 1 1 IN IP4 10.0.0.2", "s=-", "c=IN IP4 10.0.0.2", "t=0 0",
  "m=audio 40000 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "",
].join("\r\n");
export const ANSWER = [
  "v=0", "o=ivr 1 1 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0",
  "m=audio 30000 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "",
].join("\r\n");

export interface Received {
  at: number;
  message: SipMessage;
}

let counter = 0;
export const uniq = (prefix: string) => `${prefix}${++counter}x${Math.random().toString(36).slice(2, 8)}`;

export interface RequestSpec {
  method: string;
  uri?: string;
  callId: string;
  fromTag: string;
  toTag?: string;
  cseq: number;
  cseqMethod?: string;
  branch?: string;
  body?: string;
  contentType?: string;
  extra?: string[];
  /** Contact header value (default: the peer's address). */
  contact?: string;
}

/** A request as the peer would write it on the wire. */
export function requestText(spec: RequestSpec): string {
  const body = spec.body ?? "";
  const lines = [
    `${spec.method} ${spec.uri ?? "sip:1000@10.0.0.1:5060"} SIP/2.0`,
    `Via: SIP/2.0/UDP ${PEER.address}:${PEER.port};branch=${spec.branch ?? uniq("z9hG4bK")};rport`,
    "Max-Forwards: 70",
    `From: "Alice" <sip:alice@10.0.0.2>;tag=${spec.fromTag}`,
    `To: <sip:1000@10.0.0.1>${spec.toTag ? `;tag=${spec.toTag}` : ""}`,
    `Call-ID: ${spec.callId}`,
    `CSeq: ${spec.cseq} ${spec.cseqMethod ?? spec.method}`,
    `Contact: ${spec.contact ?? `<sip:alice@${PEER.address}:${PEER.port}>`}`,
    ...(spec.extra ?? []),
    ...(body ? [`Content-Type: ${spec.contentType ?? "application/sdp"}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ];
  return lines.join("\r\n");
}

export async function setup(options: {
  onInvite?: (call: Call) => void | Promise<void>; timerConfig?: Partial<SipTimerConfig>; resolver?: SipResolver;
  registrar?: SipStackOptions["registrar"];
} = {}) {
  const timers = new FakeTimers();
  const network = new LoopNetwork(timers);
  const serverTransport = network.createTransport(SERVER);
  const peer = network.createTransport(PEER);
  const received: Received[] = [];
  peer.onMessage((message) => received.push({ at: timers.now(), message }));
  const calls: Call[] = [];
  const logs: string[] = [];
  const stack = await createSipStack({
    transport: serverTransport,
    timers,
    timerConfig: options.timerConfig,
    resolver: options.resolver ?? staticResolver(),
    registrar: options.registrar,
    log: (level, msg) => logs.push(`${level}: ${msg}`),
    onInvite: (call) => {
      calls.push(call);
      return options.onInvite?.(call);
    },
  });
  const h = {
    timers, network, stack, peer, received, calls, logs,
    send(text: string) {
      peer.sendRaw(text, SERVER);
    },
    async flush() {
      await flushMicrotasks();
      await flushMicrotasks();
    },
    async advance(ms: number) {
      await timers.advanceAsync(ms);
    },
    responses(status?: number, method?: string): SipResponse[] {
      return received
        .map((r) => r.message)
        .filter((m): m is SipResponse => m.kind === "response" && (status === undefined || m.status === status))
        .filter((m) => method === undefined || (m.headers.get("cseq") ?? "").endsWith(` ${method}`));
    },
    requests(method?: string): SipRequest[] {
      return received
        .map((r) => r.message)
        .filter((m): m is SipRequest => m.kind === "request" && (method === undefined || m.method === method));
    },
    timesOf(predicate: (m: SipMessage) => boolean): number[] {
      return received.filter((r) => predicate(r.message)).map((r) => r.at);
    },
    /** Send an INVITE and wait until the app has been called. */
    async invite(spec: Partial<RequestSpec> = {}) {
      const full: RequestSpec = { method: "INVITE", callId: uniq("call-"), fromTag: uniq("ft"), cseq: 1, body: OFFER, branch: uniq("z9hG4bK"), ...spec };
      h.send(requestText(full));
      await h.flush();
      return full;
    },
    /** Our To tag from the last final/provisional response carrying one. */
    toTagOf(response: SipResponse): string {
      const m = /;tag=([^;\s]+)/.exec(response.headers.get("to") ?? "");
      return m ? m[1] : "";
    },
  };
  return h;
}
