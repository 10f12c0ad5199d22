// Strict parser: RFC 4475-style torture cases (written for this project), size limits, serializer round trips.
import { describe, expect, it } from "vitest";
import { parseMessage } from "../../runtime/sip/parser";
import { serializeMessage, type SipRequest, type SipResponse } from "../../runtime/sip/message";
import { parseNameAddr, parseSipUri, parseVia } from "../../runtime/sip/grammar";

const crlf = (lines: string[]) => lines.join("\r\n");

/** A plain, valid request; tests twist one thing at a time. */
function request(overrides: { start?: string; headers?: string[]; drop?: string[]; body?: string; contentLength?: string } = {}): string {
  const body = overrides.body ?? "";
  const base = [
    "Via: SIP/2.0/UDP host.example.org:5060;branch=z9hG4bKabc123",
    "Max-Forwards: 70",
    "From: <sip:caller@example.org>;tag=11",
    "To: <sip:callee@example.net>",
    "Call-ID: base-call@example.org",
    "CSeq: 1 OPTIONS",
  ].filter((h) => !(overrides.drop ?? []).some((d) => h.toLowerCase().startsWith(d.toLowerCase() + ":")));
  return crlf([
    overrides.start ?? "OPTIONS sip:callee@example.net SIP/2.0",
    ...base,
    ...(overrides.headers ?? []),
    `Content-Length: ${overrides.contentLength ?? Buffer.byteLength(body)}`,
    "",
    body,
  ]);
}

function expectValid(text: string | Buffer) {
  const result = parseMessage(text);
  if (!result.ok) throw new Error(`expected valid, got: ${result.error}`);
  return result;
}

function expectInvalid(text: string | Buffer, reason: RegExp) {
  const result = parseMessage(text);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatch(reason);
  return result;
}

describe("valid messages (RFC 4475 3.1.1 style)", () => {
  it("parses a short tortuous INVITE: folding, LWS, compact forms, escapes, leading zeros", () => {
    const sdp = crlf(["v=0", "o=x 1 1 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0", "m=audio 4000 RTP/AVP 0", ""]);
    const text = crlf([
      "INVITE sip:ivr@media.example.com;oddparam SIP/2.0",
      "tO :",
      " sip:ivr@media.example.com ;   tag    = 7781x",
      'from   : "Quote \\"Me\\" \\\\ Now"       <sip:quoter@example.com>',
      "  ;",
      "  tag = qq9",
      "mAx-FoRwArDs: 0069",
      "i: tortuous.1@192.0.2.5",
      "Content-Length   : " + Buffer.byteLength(sdp),
      "cseq: 0009",
      "  INVITE",
      "Via  : SIP  /   2.0",
      " /UDP",
      "    192.0.2.5;rport;branch=z9hG4bKtort1",
      "s :",
      "OddHeader:   first part",
      " second part",
      "WeirdValue: ;;,,;;,;",
      "c: application/sdp",
      "Route:",
      " <sip:edge.example.com;lr;novalue;k=v>",
      "v:  SIP  / 2.0  / TCP     relay.example.com   ;",
      "  branch  =   z9hG4bKrel1  ,",
      " SIP  /    2.0   / UDP  192.168.1.7   ; branch=",
      " z9hG4bKrel2",
      'm:"Contact \\"x\\"" <sip:quoter@192.0.2.5:5070> ; newparam =',
      "      nv ;",
      "  flag ; q = 0.5",
      "",
      sdp,
    ]);
    const { message } = expectValid(text);
    const req = message as SipRequest;
    expect(req.method).toBe("INVITE");
    expect(req.headers.getAll("via")).toHaveLength(3);
    expect(req.headers.get("Via")).toMatch(/^SIP {2}\/ {3}2\.0 \/UDP 192\.0\.2\.5;rport;branch=z9hG4bKtort1$/);
    expect(parseVia(req.headers.getAll("v")[2])).toMatchObject({ ok: true, value: { host: "192.168.1.7", branch: "z9hG4bKrel2" } });
    const from = parseNameAddr(req.headers.get("f")!);
    expect(from.ok && from.value.displayName).toBe('Quote "Me" \\ Now');
    expect(from.ok && from.value.tag).toBe("qq9");
    const to = parseNameAddr(req.headers.get("to")!);
    expect(to.ok && to.value.tag).toBe("7781x");
    expect(req.headers.get("call-id")).toBe("tortuous.1@192.0.2.5");
    expect(req.headers.get("subject")).toBe("");
    expect(req.headers.get("oddheader")).toBe("first part second part");
    expect(req.headers.get("cseq")).toBe("0009 INVITE");
    expect(req.body.toString()).toBe(sdp);
    const contact = parseNameAddr(req.headers.get("contact")!);
    expect(contact.ok && contact.value.params.get("q")).toBe("0.5");
    expect(contact.ok && contact.value.params.get("flag")).toBeNull();
  });

  it("accepts every token character in a method name", () => {
    const method = "!odd-Method0123456789_*+`.%'~";
    expectValid(request({ start: `${method} sip:x@example.net SIP/2.0`, drop: ["CSeq"], headers: [`CSeq: 2 ${method}`] }));
  });

  it("accepts % escapes in URIs, escaped NULs, and literal % in quoted strings", () => {
    expectValid(request({ start: "OPTIONS sip:sips%3Auser%40example.com@example.net SIP/2.0" }));
    expectValid(request({ start: "OPTIONS sip:null-%00-null@example.net SIP/2.0" }));
    expectValid(request({ drop: ["To"], headers: ['To: "%Z%45" <sip:callee@example.net>'] }));
  });

  it("accepts a display name glued to '<' and a semicolon in the user part", () => {
    const { message } = expectValid(request({ drop: ["From"], headers: ["From: caller<sip:caller@example.org>;tag=5"], start: "OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0" }));
    const from = parseNameAddr(message.headers.get("from")!);
    expect(from.ok && from.value.displayName).toBe("caller");
  });

  it("accepts long values and many headers within the limits", () => {
    const longTag = "t".repeat(2000);
    const vias = Array.from({ length: 60 }, (_, i) => `Via: SIP/2.0/UDP 10.0.${i}.1;branch=z9hG4bKl${i}`);
    const { message } = expectValid(request({ drop: ["To"], headers: [`To: <sip:callee@example.net>;tag=${longTag}`, ...vias] }));
    expect(message.headers.getAll("via")).toHaveLength(61);
  });

  it("discards extra octets after Content-Length in a datagram (RFC 3261 18.3)", () => {
    const text = request({ contentLength: "0" }) + "INVITE sip:second@example.net SIP/2.0\r\n\r\n";
    const result = expectValid(text);
    expect(result.message.body.length).toBe(0);
    expect(result.warnings[0]).toMatch(/discarded/);
  });

  it("takes the rest of the datagram as body when Content-Length is absent", () => {
    const text = crlf(["MESSAGE sip:x@example.net SIP/2.0", "Via: SIP/2.0/UDP a.example.org;branch=z9hG4bK1", "From: <sip:a@example.org>;tag=1", "To: <sip:x@example.net>", "Call-ID: nocl", "CSeq: 1 MESSAGE", "", "hello"]);
    expect(expectValid(text).message.body.toString()).toBe("hello");
  });

  it("accepts varied and unknown transports, IPv6 references and multipart bodies", () => {
    const body = crlf(["--b1", "Content-Type: text/plain", "", "part", "--b1--", ""]);
    expectValid(request({
      start: "OPTIONS sip:[2001:db8::10]:5070 SIP/2.0",
      headers: [
        "Via: SIP/2.0/SCTP t1.example.com;branch=z9hG4bKs", "Via: SIP/2.0/TLS t2.example.com;branch=z9hG4bKt",
        "Via: SIP/2.0/UNKNOWN t3.example.com;branch=z9hG4bKu", "Via: SIP/2.0/TCP [2001:db8::9]:5061;branch=z9hG4bKv",
        'Content-Type: multipart/mixed;boundary="b1"',
      ],
      body,
    }));
  });

  it("parses responses with unusual and empty reason phrases", () => {
    const headers = ["Via: SIP/2.0/UDP a.example.org;branch=z9hG4bK1", "From: <sip:a@example.org>;tag=1", "To: <sip:b@example.org>;tag=2", "Call-ID: r1", "CSeq: 1 INVITE", "Content-Length: 0", "", ""];
    const utf8 = expectValid(crlf(["SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое", ...headers])).message as SipResponse;
    expect(utf8.reason).toContain("простое");
    const empty = expectValid(crlf(["SIP/2.0 100 ", ...headers])).message as SipResponse;
    expect(empty.status).toBe(100);
    expect(empty.reason).toBe("");
  });

  it("reports CRLF keep-alives as such", () => {
    const result = parseMessage("\r\n\r\n");
    expect(result).toMatchObject({ ok: false, keepalive: true });
  });

  it("round-trips through the serializer", () => {
    const { message } = expectValid(request({ body: "v=0\r\n", headers: ["Content-Type: application/sdp", "Contact: <sip:a@1.2.3.4>, <sip:b@1.2.3.5>"] }));
    const again = expectValid(serializeMessage(message)).message;
    expect([...again.headers]).toEqual([...message.headers]);
    expect(again.body.equals(message.body)).toBe(true);
  });

  it("serializer neutralises CR/LF injected into header values", () => {
    const { message } = expectValid(request());
    message.headers.append("X-Evil", "a\r\nVia: SIP/2.0/UDP evil;branch=z9hG4bKevil");
    const again = expectValid(serializeMessage(message)).message;
    expect(again.headers.getAll("via")).toHaveLength(1);
  });
});

describe("invalid messages are rejected with a reason (RFC 4475 3.1.2 style)", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["extraneous Via separators", request({ headers: ["Via: SIP/2.0/UDP 192.0.2.15;;,;,,"] }), /Via/],
    ["Content-Length larger than the body", request({ body: "abc", contentLength: "9999" }), /Content-Length 9999 exceeds/],
    ["negative Content-Length", request({ body: "abc", contentLength: "-999" }), /invalid Content-Length/],
    ["overlarge CSeq", request({ drop: ["CSeq"], headers: ["CSeq: 36893488147419103232 OPTIONS"] }), /CSeq/],
    ["CSeq of 2^31", request({ drop: ["CSeq"], headers: ["CSeq: 2147483648 OPTIONS"] }), /out of range/],
    ["Max-Forwards 300", request({ drop: ["Max-Forwards"], headers: ["Max-Forwards: 300"] }), /Max-Forwards/],
    ["overlarge Expires", request({ headers: ["Expires: 10000000000000000000"] }), /Expires/],
    ["unterminated quoted display name", request({ drop: ["From"], headers: ['From: "Mr J. User <sip:j.user@example.com>;tag=1'] }), /quoted/],
    ["<> around the Request-URI", request({ start: "OPTIONS <sip:callee@example.net> SIP/2.0" }), /Request-URI/],
    ["embedded LWS in the Request-URI", request({ start: "OPTIONS sip:callee@example.net; lr SIP/2.0" }), /single spaces/],
    ["multiple SP in the request line", request({ start: "OPTIONS  sip:callee@example.net  SIP/2.0" }), /single spaces/],
    ["trailing SP after the request line", request({ start: "OPTIONS sip:callee@example.net SIP/2.0 " }), /single spaces/],
    ["escaped headers in the Request-URI", request({ start: "OPTIONS sip:callee@example.net?Route=%3Csip:x.example.com%3E SIP/2.0" }), /must not contain headers/],
    ["addr-spec with '?' outside <>", request({ headers: ["Contact: sip:user@example.com?Route=%3Csip:x.example.com%3E"] }), /enclosed in <>/],
    ["spaces within an addr-spec", request({ drop: ["To"], headers: ["To: sip:callee@ example.net"] }), /To/],
    ["non-token characters in an unquoted display name", request({ drop: ["From"], headers: ["From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43"] }), /display name/],
    ["unknown SIP version", request({ start: "OPTIONS sip:callee@example.net SIP/7.0" }), /version/],
    ["CSeq method mismatch", request({ drop: ["CSeq"], headers: ["CSeq: 1 INVITE"] }), /does not match/],
    ["missing Call-ID", request({ drop: ["Call-ID"] }), /missing call-id/],
    ["missing Via", request({ drop: ["Via"] }), /missing via/],
    ["two Call-ID headers", request({ headers: ["i: second@example.org"] }), /more than one call-id/],
    ["two Content-Length headers", request({ headers: ["l: 0"] }), /more than one content-length/],
    ["a header line without a colon", request({ headers: ["NoColonHere"] }), /malformed header/],
    ["a bare LF line ending", request().replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\n"), /bare CR or LF/],
    ["a NUL byte in the head", request({ headers: ["X-Nul: a\0b"] }), /NUL/],
    ["no blank line after the headers", request().replace(/\r\n\r\n$/, "\r\n"), /blank line/],
    ["a continuation line before any header", crlf(["OPTIONS sip:x@example.net SIP/2.0", " folded", "", ""]), /continuation/],
    ["an invalid host in Via", request({ headers: ["Via: SIP/2.0/UDP bad_host!;branch=z9hG4bK1"] }), /Via/],
    ["a port out of range", request({ headers: ["Via: SIP/2.0/UDP 10.0.0.1:70000;branch=z9hG4bK1"] }), /port/],
    ["an unknown start line", "HELLO WORLD\r\n\r\n", /request line|Request-URI|version/],
  ];
  for (const [name, text, reason] of cases) {
    it(`rejects ${name}`, () => {
      expectInvalid(text, reason);
    });
  }

  it("rejects an overlarge status code", () => {
    expectInvalid(crlf(["SIP/2.0 4294967301 better not break the receiver", "Via: SIP/2.0/UDP a;branch=z9hG4bK1", "", ""]), /status line/);
    expectInvalid(crlf(["SIP/2.0 099 Too Low", "Via: SIP/2.0/UDP a;branch=z9hG4bK1", "", ""]), /out of range/);
  });

  it("enforces the size limits", () => {
    expectInvalid(request({ body: "x".repeat(70_000) }), /too large/);
    expectInvalid(request({ headers: [`X-Long: ${"y".repeat(9000)}`] }), /too long/);
    const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: v`);
    expectInvalid(request({ headers: many }), /too many headers/);
    // Comma-separated values count one by one.
    const viaList = `Via: ${Array.from({ length: 60 }, (_, i) => `SIP/2.0/UDP h${i}.example.com;branch=z9hG4bK${i}`).join(",")}`;
    expect(parseMessage(request({ headers: [viaList] }), { maxHeaders: 50 })).toMatchObject({ ok: false, error: "too many headers (> 50)" });
    // Limits are configurable per call.
    expect(parseMessage(request(), { maxMessageBytes: 100 }).ok).toBe(false);
  });

  it("keeps the headers of a request with a bad Request-URI or SIP version, and says 505 for a version", () => {
    const uri = parseMessage(request({ start: "OPTIONS <sip:callee@example.net> SIP/2.0" }));
    expect(uri).toMatchObject({ ok: false, partial: { method: "OPTIONS" } });
    expect(!uri.ok && uri.status).toBeUndefined();
    expect(!uri.ok && uri.partial?.headers.get("call-id")).toBe("base-call@example.org");
    const version = parseMessage(request({ start: "OPTIONS sip:callee@example.net SIP/7.0" }));
    expect(version).toMatchObject({ ok: false, status: 505 });
    expect(!version.ok && version.partial?.headers.get("cseq")).toBe("1 OPTIONS");
    // Not a version at all: a 400.
    expect(parseMessage(request({ start: "OPTIONS sip:callee@example.net SIP/2.x" }))).not.toHaveProperty("status");
  });

  it("allows a NUL only as a quoted-pair inside a quoted string", () => {
    expect(parseMessage(request({ drop: ["To"], headers: ['To: "a\\\0b" <sip:callee@example.net>'] })).ok).toBe(true);
    expectInvalid(request({ drop: ["To"], headers: ['To: "a\0b" <sip:callee@example.net>'] }), /NUL/);
    expectInvalid(request({ headers: ['X-Nul: "ok\\\0" then\0'] }), /NUL/);
  });

  it("reads '?' and ';' inside the user part of a sip URI (RFC 4475 intmeth)", () => {
    const uri = parseSipUri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
    expect(uri).toMatchObject({ ok: true, value: { user: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", host: "example.com" } });
    // Headers after the host still parse.
    expect(parseSipUri("sip:a@b.example?subject=x")).toMatchObject({ ok: true, value: { user: "a", host: "b.example" } });
  });

  it("returns what it could read of a broken request, for a 400", () => {
    const result = expectInvalid(request({ body: "abc", contentLength: "10" }), /Content-Length/);
    expect(!result.ok && result.partial?.method).toBe("OPTIONS");
    expect(!result.ok && result.partial?.headers.get("call-id")).toBe("base-call@example.org");
  });
});
