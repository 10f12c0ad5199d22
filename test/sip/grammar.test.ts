// Header grammar helpers and RFC 3261 18.2 / RFC 3581 response routing.
import { describe, expect, it } from "vitest";
import { parseCSeq, parseNameAddr, parseSipUri, parseVia, splitList, formatVia } from "../../runtime/sip/grammar";
import { responseDestination, stampVia } from "../../runtime/sip/transport";
import { SipHeaders, canonicalHeaderName, serializeMessage, createResponse } from "../../runtime/sip/message";

describe("URIs and name-addr", () => {
  it("parses sip URIs with user, password, port, params and headers", () => {
    const uri = parseSipUri("sips:alice:secret@example.com:5061;transport=tcp;lr?Subject=hi&Priority=urgent");
    expect(uri).toMatchObject({ ok: true, value: { scheme: "sips", user: "alice", password: "secret", host: "example.com", port: 5061 } });
    if (uri.ok) {
      expect(uri.value.params.get("transport")).toBe("tcp");
      expect(uri.value.params.get("lr")).toBeNull();
      expect(uri.value.headers.get("Priority")).toBe("urgent");
    }
    expect(parseSipUri("sip:[2001:db8::1]:5060").ok).toBe(true);
    expect(parseSipUri("sip:host:99999").ok).toBe(false);
    expect(parseSipUri("sip:us er@host").ok).toBe(false);
    expect(parseSipUri("sip:user@").ok).toBe(false);
    expect(parseSipUri("sip:a%zz@host").ok).toBe(false);
  });

  it("parses name-addr and addr-spec with header parameters", () => {
    const a = parseNameAddr('"Bob \\"B\\"" <sip:bob@example.com;transport=udp>;tag=abc;expires=60');
    expect(a).toMatchObject({ ok: true, value: { displayName: 'Bob "B"', tag: "abc" } });
    if (a.ok) {
      expect(a.value.uri.sip?.params.get("transport")).toBe("udp");
      expect(a.value.params.get("expires")).toBe("60");
    }
    // In addr-spec form, ';' parameters belong to the header, not the URI.
    const b = parseNameAddr("sip:carol@example.com;tag=77");
    expect(b.ok && b.value.tag).toBe("77");
    expect(b.ok && b.value.uri.raw).toBe("sip:carol@example.com");
    expect(parseNameAddr("<tel:+15551234567>;tag=1").ok).toBe(true);
    expect(parseNameAddr("<sip:x@example.com").ok).toBe(false);
    expect(parseNameAddr("<sip:x@example.com>;tag").ok).toBe(false);
    expect(parseNameAddr("<sip:x@example.com>;a=1;a=2").ok).toBe(false);
  });

  it("splits lists on top-level commas only", () => {
    expect(splitList('"Doe, J" <sip:j@x.com>, <sip:k@y.com;p=a,b>')).toEqual({ ok: true, value: ['"Doe, J" <sip:j@x.com>', "<sip:k@y.com;p=a,b>"] });
    expect(splitList("a,,b").ok).toBe(false);
    expect(splitList('"open, quote').ok).toBe(false);
  });

  it("parses CSeq", () => {
    expect(parseCSeq("0042 INVITE")).toEqual({ ok: true, value: { seq: 42, method: "INVITE" } });
    expect(parseCSeq("1INVITE").ok).toBe(false);
    expect(parseCSeq("-1 INVITE").ok).toBe(false);
  });
});

describe("Via and response routing", () => {
  it("parses branch, received, rport and maddr", () => {
    const via = parseVia("SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776;received=192.0.2.1;rport=5070;maddr=224.0.0.1");
    expect(via).toMatchObject({ ok: true, value: { transport: "UDP", host: "pc33.example.com", port: 5066, branch: "z9hG4bK776", received: "192.0.2.1", rport: 5070, maddr: "224.0.0.1" } });
    expect(parseVia("SIP/2.0/UDP 10.0.0.1;rport").ok && (parseVia("SIP/2.0/UDP 10.0.0.1;rport") as { value: { rport: unknown } }).value.rport).toBe(true);
    expect(parseVia("SIP/2.0/UDP 10.0.0.1;rport=abc").ok).toBe(false);
    expect(parseVia("SIP/3.0/UDP 10.0.0.1").ok).toBe(false);
    expect(parseVia("SIP/2.0/UDP").ok).toBe(false);
  });

  it("stamps received/rport (RFC 3581); the response goes to the source", () => {
    const via = parseVia("SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKa;rport");
    if (!via.ok) throw new Error(via.error);
    const stamped = stampVia(via.value, { address: "203.0.113.7", port: 40123 });
    expect(formatVia(stamped)).toBe("SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bKa;rport=40123;received=203.0.113.7");
    expect(responseDestination({ address: "203.0.113.7", port: 40123 })).toEqual({ address: "203.0.113.7", port: 40123 });
  });

  it("adds received when sent-by is not the source; same host: no received", () => {
    const via = parseVia("SIP/2.0/UDP 192.168.1.20:5062;branch=z9hG4bKb");
    if (!via.ok) throw new Error(via.error);
    expect(stampVia(via.value, { address: "203.0.113.7", port: 40123 }).received).toBe("203.0.113.7");
    const same = parseVia("SIP/2.0/UDP 10.1.1.1;branch=z9hG4bKc");
    if (!same.ok) throw new Error(same.error);
    expect(stampVia(same.value, { address: "10.1.1.1", port: 5999 }).params.has("received")).toBe(false);
  });

  it("replaces a client-written received by the real source (never kept, never a destination)", () => {
    const via = parseVia("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKd;received=127.0.0.2;maddr=127.0.0.3");
    if (!via.ok) throw new Error(via.error);
    const stamped = stampVia(via.value, { address: "127.0.0.1", port: 5070 });
    expect(stamped.received).toBe("127.0.0.1");
    expect(formatVia(stamped)).not.toContain("127.0.0.2");
  });
});

describe("headers and serializer", () => {
  it("looks headers up case-insensitively with compact forms", () => {
    const h = new SipHeaders().append("v", "SIP/2.0/UDP a;branch=z9hG4bK1").append("VIA", "SIP/2.0/UDP b;branch=z9hG4bK2").append("i", "x");
    expect(h.getAll("Via")).toHaveLength(2);
    expect(h.get("call-ID")).toBe("x");
    h.prepend("via", "SIP/2.0/UDP top;branch=z9hG4bK0");
    expect(h.get("v")).toContain("top");
    expect(canonicalHeaderName("cseq")).toBe("CSeq");
    expect(canonicalHeaderName("x-custom-thing")).toBe("X-Custom-Thing");
  });

  it("always writes Content-Length from the body", () => {
    const res = createResponse(200, "OK", new SipHeaders().append("Content-Length", "999"), "abc");
    const text = serializeMessage(res).toString();
    expect(text).toBe("SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  });
});
