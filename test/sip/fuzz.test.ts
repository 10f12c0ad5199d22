// Random mutations of valid messages (seeded, bounded): the parser never throws nor hits its
// internal-error path, accepted messages re-serialize to parseable text, and a stack fed the
// same garbage keeps answering.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseMessage } from "../../runtime/sip/parser";
import { serializeMessage } from "../../runtime/sip/message";
import { buildResponse } from "../../runtime/sip/response";
import { OFFER, PEER, SERVER, requestText, setup } from "./helpers";

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RFC4475 = path.join(path.dirname(fileURLToPath(import.meta.url)), "rfc4475");
const SEEDS = [
  // RFC 4475 messages as written (binary: NUL and DEL inside a quoted string, UTF-8 values).
  ...["intmeth", "inv2543", "badvers", "ltgtruri"].map((n) => readFileSync(path.join(RFC4475, `${n}.dat`)).toString("latin1")),
  requestText({ method: "INVITE", callId: "fz1", fromTag: "a", cseq: 1, body: OFFER }),
  requestText({ method: "BYE", callId: "fz2", fromTag: "a", toTag: "b", cseq: 2 }),
  requestText({ method: "INFO", callId: "fz3", fromTag: "a", toTag: "b", cseq: 3, body: "Signal=5\r\nDuration=160", contentType: "application/dtmf-relay" }),
  "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;rport=5060\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: fz4\r\nCSeq: 7 BYE\r\nContent-Length: 0\r\n\r\n",
];

const TOKENS = [":", ";", ",", "<", ">", '"', "\\", "\r\n", "\n", " ", "\t", "%", "%0", "\0", "=", "@", "SIP/2.0", "z9hG4bK", "\r\n ", "ÿ", "\u{1F600}", "99999999999"];

function mutate(input: Buffer, rand: () => number): Buffer {
  let bytes = Buffer.from(input);
  const rounds = 1 + Math.floor(rand() * 4);
  for (let r = 0; r < rounds; r++) {
    const pos = Math.floor(rand() * (bytes.length + 1));
    switch (Math.floor(rand() * 7)) {
      case 0: // flip a byte
        if (bytes.length) bytes[Math.min(pos, bytes.length - 1)] = Math.floor(rand() * 256);
        break;
      case 1: { // delete a slice
        const len = Math.floor(rand() * 20);
        bytes = Buffer.concat([bytes.subarray(0, pos), bytes.subarray(pos + len)]);
        break;
      }
      case 2: { // insert a grammar-significant token
        const tok = Buffer.from(TOKENS[Math.floor(rand() * TOKENS.length)]);
        bytes = Buffer.concat([bytes.subarray(0, pos), tok, bytes.subarray(pos)]);
        break;
      }
      case 3: { // duplicate a slice (often a whole header)
        const len = Math.floor(rand() * 60);
        bytes = Buffer.concat([bytes.subarray(0, pos + len), bytes.subarray(pos, pos + len), bytes.subarray(pos + len)]);
        break;
      }
      case 4: // truncate
        bytes = bytes.subarray(0, pos);
        break;
      case 5: { // insert random bytes
        const junk = Buffer.from(Array.from({ length: Math.floor(rand() * 8) }, () => Math.floor(rand() * 256)));
        bytes = Buffer.concat([bytes.subarray(0, pos), junk, bytes.subarray(pos)]);
        break;
      }
      default: { // repeat a token many times (length pressure)
        const tok = TOKENS[Math.floor(rand() * TOKENS.length)].repeat(50 + Math.floor(rand() * 500));
        bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.from(tok), bytes.subarray(pos)]);
      }
    }
  }
  return bytes;
}

describe("fuzzing", () => {
  it("never throws on 4000 mutated messages", () => {
    const rand = mulberry32(4475);
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const input = mutate(Buffer.from(SEEDS[i % SEEDS.length], "latin1"), rand);
      const result = parseMessage(input);
      if (result.ok) {
        accepted++;
        const again = parseMessage(serializeMessage(result.message));
        if (!again.ok) throw new Error(`re-serialized message failed to parse (${again.error}) for input ${JSON.stringify(input.toString("latin1"))}`);
      } else {
        rejected++;
        expect(result.error).not.toMatch(/^internal parser error/);
      }
    }
    // Both paths are exercised.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(1000);
  });

  it("keeps a stack serving after 1500 hostile datagrams", async () => {
    const h = await setup({ onInvite: (call) => void call.answer("v=0\r\n") });
    const rand = mulberry32(3261);
    for (let i = 0; i < 1500; i++) {
      h.send(mutate(Buffer.from(SEEDS[i % SEEDS.length], "latin1"), rand).toString("latin1"));
      if (i % 100 === 0) await h.flush();
    }
    await h.flush();
    await h.advance(40_000);
    const stats = h.stack.stats;
    expect(stats.transport.handlerErrors).toBe(0);
    expect(stats.transport.parseErrors).toBeGreaterThan(100);
    const before = h.responses(200, "INVITE").length;
    await h.invite({ callId: "after-fuzz" });
    expect(h.responses(200, "INVITE").length).toBe(before + 1);
  });

  it("keeps outgoing calls and the registrar sane under 1500 mutated responses and REGISTERs", async () => {
    const h = await setup({ registrar: { realm: "pbx", password: (u) => (u === "1000" ? "pw" : undefined) } });
    const calls = Array.from({ length: 5 }, () => h.stack.placeCall({ target: `sip:2000@${PEER.address}:${PEER.port}`, sdp: OFFER, auth: { username: "u", password: "p" } }));
    await h.flush();
    const invites = h.requests("INVITE");
    const challenge = 'Proxy-Authenticate: Digest realm="gw", nonce="abc", qop="auth"';
    const seeds = invites.flatMap((inv) => [180, 183, 200, 407, 486].map((status) => {
      const response = buildResponse(inv, status, {
        toTag: "t1", headers: [["Contact", `<sip:2000@${PEER.address}:${PEER.port}>`]],
        ...(status === 183 || status === 200 ? { body: OFFER, contentType: "application/sdp" } : {}),
      });
      return serializeMessage(response).toString("latin1").replace("\r\n\r\n", status === 407 ? `\r\n${challenge}\r\n\r\n` : "\r\n\r\n");
    }));
    seeds.push(requestText({ method: "REGISTER", uri: "sip:10.0.0.1", callId: "reg", fromTag: "r", cseq: 1, extra: ["Expires: 60", 'Authorization: Digest username="1000", realm="pbx", nonce="x.y.z", uri="sip:10.0.0.1", response="00", qop=auth, nc=00000001, cnonce="c"'] }));
    const rand = mulberry32(8760);
    for (let i = 0; i < 1500; i++) {
      h.send(mutate(Buffer.from(seeds[i % seeds.length], "latin1"), rand).toString("latin1"));
      if (i % 100 === 0) await h.flush();
    }
    await h.flush();
    await h.advance(70_000);
    expect(h.stack.stats.transport.handlerErrors).toBe(0);
    expect(h.logs.filter((l) => /threw/.test(l))).toEqual([]);
    // Every call reached an end or an answer; nothing is left half-open after the timers ran.
    for (const call of calls) expect(["confirmed", "ended"]).toContain(call.state);
    expect(h.stack.stats.clientTransactions).toBe(0);
    expect(h.stack.registrar!.lookup("1000")).toEqual([]);
    // And a fresh call still works.
    const fresh = h.stack.placeCall({ target: `sip:2000@${PEER.address}:${PEER.port}`, sdp: OFFER });
    await h.flush();
    h.peer.send(buildResponse(h.requests("INVITE").at(-1)!, 200, { toTag: "ok", body: OFFER, contentType: "application/sdp" }), SERVER);
    await h.flush();
    expect(fresh.state).toBe("confirmed");
  });
});
