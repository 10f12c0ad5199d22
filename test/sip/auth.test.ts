// Digest authentication: the RFCs' own known answers, challenge parsing, and the server's checks
// (nonce signature and lifetime, nc replay, realm, algorithm).
import { describe, expect, it } from "vitest";
import { DigestServer, buildAuthorization, digestResponse, parseChallenge, pickChallenge } from "../../runtime/sip/auth";

describe("digest responses (known answers)", () => {
  it("RFC 2617 3.5 (MD5, qop=auth)", () => {
    expect(digestResponse({
      algorithm: "MD5", username: "Mufasa", password: "Circle Of Life", realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", method: "GET", uri: "/dir/index.html", qop: "auth", nc: "00000001", cnonce: "0a4f113b",
    })).toBe("6629fae49393a05397450978507c4ef1");
  });

  it("RFC 7616 3.9.1 (MD5 and SHA-256)", () => {
    const challenge = parseChallenge(
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    )!;
    expect(challenge).toMatchObject({ realm: "http-auth@example.org", algorithm: "SHA-256", qop: ["auth", "auth-int"], stale: false });
    const creds = { username: "Mufasa", password: "Circle of Life" };
    const cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    expect(buildAuthorization(challenge, creds, "GET", "/dir/index.html", { cnonce })).toBe(
      'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", ' +
      'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", algorithm=SHA-256, ' +
      'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, nc=00000001, opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
    expect(buildAuthorization({ ...challenge, algorithm: "MD5" }, creds, "GET", "/dir/index.html", { cnonce })).toContain('response="8ca523f5e9506fed4657c9700eebdbec"');
  });

  it("reads challenges tolerantly and skips the ones it cannot answer", () => {
    expect(parseChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseChallenge('Digest realm="x", nonce="n", algorithm=SHA-512-256')).toBeUndefined();
    expect(parseChallenge('Digest realm="x", nonce="n", qop="auth-int"')).toBeUndefined();
    expect(parseChallenge('digest  REALM = "a\\"b" ,nonce=abc,stale=TRUE')).toMatchObject({ realm: 'a"b', nonce: "abc", algorithm: "MD5", qop: [], stale: true });
    expect(pickChallenge(['Digest realm="x", nonce="1", algorithm=AKAv1-MD5', 'Digest realm="x", nonce="2"'])?.nonce).toBe("2");
    expect(pickChallenge(['Digest realm="a", nonce="1"', 'Digest realm="b", nonce="2"'], "b")?.nonce).toBe("2");
  });

  it("answers an RFC 2069 challenge (no qop) without cnonce/nc", () => {
    const value = buildAuthorization(parseChallenge('Digest realm="r", nonce="n"')!, { username: "u", password: "p" }, "REGISTER", "sip:r");
    expect(value).not.toContain("qop=");
    expect(value).toContain(`response="${digestResponse({ algorithm: "MD5", username: "u", password: "p", realm: "r", nonce: "n", method: "REGISTER", uri: "sip:r" })}"`);
  });
});

describe("digest server", () => {
  let now = 0;
  const clock = { now: () => now };
  const users = (u: string) => ({ "1000": "pw1000" } as Record<string, string>)[u];
  const answerTo = (server: DigestServer, user = "1000", password = "pw1000", nc = 1, index = 0) =>
    buildAuthorization(parseChallenge(server.challenge()[index])!, { username: user, password }, "REGISTER", "sip:pbx", { nc });

  it("accepts a right answer once per nc, refuses replays, wrong passwords, unknown users and other realms", () => {
    now = 0;
    const server = new DigestServer({ realm: "pbx", clock });
    const challenge = parseChallenge(server.challenge()[0])!;
    const first = buildAuthorization(challenge, { username: "1000", password: "pw1000" }, "REGISTER", "sip:pbx", { nc: 1 });
    expect(server.verify(first, "REGISTER", users)).toEqual({ ok: true, username: "1000" });
    expect(server.verify(first, "REGISTER", users)).toMatchObject({ ok: false, reason: "nonce count replayed" });
    const second = buildAuthorization(challenge, { username: "1000", password: "pw1000" }, "REGISTER", "sip:pbx", { nc: 2 });
    expect(server.verify(second, "REGISTER", users)).toMatchObject({ ok: true });
    expect(server.verify(answerTo(server, "1000", "nope"), "REGISTER", users)).toMatchObject({ ok: false, reason: "wrong credentials" });
    expect(server.verify(answerTo(server, "9999", "pw1000"), "REGISTER", users)).toMatchObject({ ok: false, reason: "wrong credentials" });
    // The answer must be for this method.
    expect(server.verify(answerTo(server), "INVITE", users)).toMatchObject({ ok: false });
    const other = new DigestServer({ realm: "elsewhere", clock });
    expect(server.verify(answerTo(other), "REGISTER", users)).toMatchObject({ ok: false, reason: "wrong realm elsewhere" });
  });

  it("refuses nonces it did not issue, and calls expired ones stale", () => {
    now = 0;
    const server = new DigestServer({ realm: "pbx", clock, nonceTtlMs: 60_000 });
    const forged = buildAuthorization({ realm: "pbx", nonce: "0.abc.forgedsignature", algorithm: "MD5", qop: ["auth"], stale: false }, { username: "1000", password: "pw1000" }, "REGISTER", "sip:pbx");
    expect(server.verify(forged, "REGISTER", users)).toMatchObject({ ok: false, reason: "nonce not issued here" });
    const answer = answerTo(server);
    now = 60_001;
    expect(server.verify(answer, "REGISTER", users)).toMatchObject({ ok: false, stale: true });
    expect(server.challenge(true)[0]).toContain("stale=true");
  });

  it("offers SHA-256 then MD5 when asked, and checks each", () => {
    now = 0;
    const server = new DigestServer({ realm: "pbx", clock, algorithms: ["SHA-256", "MD5"] });
    expect(server.challenge().map((c) => parseChallenge(c)!.algorithm)).toEqual(["SHA-256", "MD5"]);
    expect(server.verify(answerTo(server, "1000", "pw1000", 1, 0), "REGISTER", users)).toMatchObject({ ok: true });
    expect(server.verify(answerTo(server, "1000", "pw1000", 1, 1), "REGISTER", users)).toMatchObject({ ok: true });
    const md5Only = new DigestServer({ realm: "pbx", clock });
    const sha = answerTo(server, "1000", "pw1000", 1, 0);
    expect(md5Only.verify(sha, "REGISTER", users)).toMatchObject({ ok: false, reason: "algorithm SHA-256 not offered" });
  });
});
