// baresip (Debian) as a desk phone: it registers as extension 1000 with digest auth to our
// registrar, and `user/1000` reaches it where it registered; it auto-answers and our BYE ends it.
import { afterEach, describe, expect, it } from "vitest";
import { createSipStack, type Binding, type SipStack } from "../../runtime/sip/index";
import { Baresip, hasBaresip } from "../runtime/support/baresip";
import { freeUdpPort } from "./sipp-harness";

const OFFER = "v=0\r\no=ivr 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function until(what: string, check: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function pbx() {
  const logs: string[] = [];
  const stack: SipStack = await createSipStack({
    address: "127.0.0.1", port: 0, onInvite: (c) => void c.reject(404), log: (l, m) => logs.push(`${l}: ${m}`),
    registrar: { realm: "ivr.test", password: (u) => (u === "1000" ? "desk-secret" : undefined) },
  });
  cleanup.push(() => stack.close());
  return { stack, logs };
}

async function phone(pbxPort: number, password: string) {
  const sipPort = await freeUdpPort();
  const account = `<sip:1000@127.0.0.1:${pbxPort}>;auth_user=1000;auth_pass=${password};answermode=auto;regint=600`;
  const p = await Baresip.start(sipPort, await freeUdpPort(), account);
  cleanup.push(() => p.stop());
  return { phone: p, sipPort };
}

describe.skipIf(!hasBaresip)("baresip registered as user 1000", () => {
  it("registers with digest auth; a call to user/1000 goes to its binding, is auto-answered, and our BYE ends it", async () => {
    const { stack } = await pbx();
    const registered: Binding[] = [];
    stack.registrar!.on("registered", (b) => registered.push(b));
    const { phone: desk, sipPort } = await phone(stack.transport.local.port, "desk-secret");
    // baresip registers at start-up, before its control socket is ours: watch the registrar.
    await until("the registration", () => stack.registrar!.lookup("1000").length > 0);
    const [binding] = stack.registrar!.lookup("1000");
    expect(binding).toMatchObject({ user: "1000", source: { address: "127.0.0.1", port: sipPort } });
    expect(binding.contact).toMatch(new RegExp(`^sip:1000[^@]*@127\\.0\\.0\\.1:${sipPort}`));
    expect(binding.userAgent).toMatch(/baresip/i);
    expect(registered.length).toBeGreaterThanOrEqual(1);

    const call = stack.placeCall({ target: binding.contact, destination: binding.source, sdp: OFFER, from: { user: "ivr", displayName: "IVR" } });
    const answered = new Promise<string>((resolve) => call.on("answered", (a) => resolve(a.sdp)));
    const failed: string[] = [];
    call.on("failed", (f) => failed.push(`${f.status} ${f.cause}`));
    const sdp = await Promise.race([answered, desk.waitForEvent("CALL_CLOSED", 8000).then(() => { throw new Error(`closed: ${failed}`); })]);
    expect(sdp).toMatch(/m=audio \d+ RTP\/AVP 0/);
    await desk.waitForEvent("CALL_ESTABLISHED");
    await call.hangup("NORMAL_CLEARING");
    await desk.waitForEvent("CALL_CLOSED");
    expect(call.ended).toEqual({ cause: "NORMAL_CLEARING", by: "local" });
  });

  it("a wrong password is refused: no binding, and user/1000 has nowhere to go", async () => {
    const { stack, logs } = await pbx();
    const refused: number[] = [];
    stack.registrar!.on("refused", (r) => refused.push(r.status));
    await phone(stack.transport.local.port, "guess");
    await until("the refusal", () => refused.length > 0);
    expect(refused[0]).toBe(403);
    expect(stack.registrar!.lookup("1000")).toEqual([]);
    expect(logs.some((l) => /REGISTER for 1000 from 127\.0\.0\.1:\d+ refused: wrong credentials/.test(l))).toBe(true);
  });
});
