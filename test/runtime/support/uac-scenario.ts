// Builds SIPp UAC scenarios for the runtime tests: an INVITE with a chosen offer, then a list of
// in-call steps (RFC 2833 pcaps, generated RTP pcaps, SIP INFO digits, pauses), then a BYE
// from the caller or one awaited from the IVR. SIPp cannot take the pcap file of an <exec> from
// the command line, so each test writes its own scenario file into its temp dir.
import { writeFileSync } from "node:fs";
import path from "node:path";

export const SIPP_PCAPS = "/usr/share/sip-tester";

export type Step =
  | { pause: number }
  /** A shipped RFC 2833 pcap: "0".."9", "*", "#" (PT 101). Followed by a pause long enough to play it. */
  | { rfc2833: string }
  | { info: string; durationMs?: number }
  /** Any RTP pcap (e.g. from support/audio.ts). SIPp 3.6.1's rtp_stream sent nothing in a try. */
  | { pcap: string };

export interface UacOptions {
  /** m=audio formats and their rtpmap lines. Default PCMA + telephone-event/101. */
  formats?: { pt: number; rtpmap?: string }[];
  steps?: Step[];
  /** Who ends the call: the caller sends BYE (default), or the IVR's BYE is awaited and answered. */
  hangup?: "caller" | "ivr";
  /** Expected final response to the INVITE (default 200). Non-2xx is ACKed and the call ends. */
  expect?: number;
}

const DIGIT_PCAP: Record<string, string> = { "*": "star", "#": "pound" };

const headers = (method: string, cseq: number, toTag: boolean) => `
      ${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: "Runtime Test" <sip:4155550100@[local_ip]:[local_port]>;tag=[pid]RtTag[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>${toTag ? "[peer_tag_param]" : ""}
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:4155550100@[local_ip]:[local_port]>
      Max-Forwards: 70`;

function step(s: Step, cseq: () => number): string {
  if ("pause" in s) return `  <pause milliseconds="${s.pause}"/>`;
  if ("rfc2833" in s) {
    const name = DIGIT_PCAP[s.rfc2833] ?? s.rfc2833;
    if (!/^[0-9]$|^star$|^pound$/.test(name)) throw new Error(`no shipped RFC 2833 pcap for '${s.rfc2833}'`);
    return `  <nop><action><exec play_pcap_audio="${SIPP_PCAPS}/dtmf_2833_${name}.pcap"/></action></nop>`;
  }
  if ("pcap" in s) return `  <nop><action><exec play_pcap_audio="${s.pcap}"/></action></nop>`;
  const n = cseq();
  return `  <send retrans="500"><![CDATA[
${headers("INFO", n, true)}
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=${s.info}
      Duration=${s.durationMs ?? 160}

    ]]></send>
  <recv response="200"/>`;
}

export function uacScenario(o: UacOptions = {}): string {
  const formats = o.formats ?? [
    { pt: 8, rtpmap: "PCMA/8000" },
    { pt: 101, rtpmap: "telephone-event/8000" },
  ];
  const expect = o.expect ?? 200;
  let cseq = 1;
  const next = () => ++cseq;
  const sdp = [
    "v=0",
    "o=sipp 1 1 IN IP[local_ip_type] [local_ip]",
    "s=-",
    "c=IN IP[media_ip_type] [media_ip]",
    "t=0 0",
    `m=audio [media_port] RTP/AVP ${formats.map((f) => f.pt).join(" ")}`,
    ...formats.filter((f) => f.rtpmap).map((f) => `a=rtpmap:${f.pt} ${f.rtpmap}`),
  ].map((l) => `      ${l}`);
  const invite = `  <send retrans="500"><![CDATA[
${headers("INVITE", 1, false)}
      Content-Type: application/sdp
      Content-Length: [len]

${sdp.join("\n")}

    ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>`;
  if (expect !== 200) {
    return wrap(`${invite}
  <recv response="${expect}"/>
  <send><![CDATA[
${headers("ACK", 1, true).replace("branch=[branch]", "branch=[branch-5]")}
      Content-Length: 0

    ]]></send>
  <pause milliseconds="100"/>`);
  }
  const body = (o.steps ?? []).map((s) => step(s, next)).join("\n");
  const end =
    (o.hangup ?? "caller") === "caller"
      ? `  <send retrans="500"><![CDATA[
${headers("BYE", next(), true)}
      Content-Length: 0

    ]]></send>
  <recv response="200" crlf="true"/>`
      : `  <recv request="BYE"/>
  <send><![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]></send>
  <pause milliseconds="100"/>`;
  return wrap(`${invite}
  <recv response="200" rtd="true"/>
  <send><![CDATA[
${headers("ACK", 1, true)}
      Content-Length: 0

    ]]></send>
${body}
${end}`);
}

function wrap(inner: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="ivr runtime test">
${inner}
</scenario>
`;
}

/** Write a scenario into dir and return its path. */
export function writeScenario(dir: string, name: string, o: UacOptions): string {
  const file = path.join(dir, `${name}.xml`);
  writeFileSync(file, uacScenario(o));
  return file;
}
