// REGISTER both ways over the loop network with a fake clock: a "phone" stack registers to a
// "pbx" stack's registrar (digest auth, refresh, expiry, Min-Expires, lockout), and the pbx then
// calls the phone where it registered.
import { describe, expect, it } from "vitest";
import { createSipStack, FakeTimers, LoopNetwork, staticResolver, type Binding, type Call, type SipRequest } from "../../runtime/sip/index";
import type { RegistrarOptions } from "../../runtime/sip/registrar";
import { flushMicrotasks } from "../../runtime/sip/timers";
import { ANSWER, OFFER } from "./helpers";

const PBX = { address: "10.0.0.1", port: 5060 };
const PHONE = { address: "10.0.0.2", port: 5070 };

async function world(registrar: Partial<Omit<RegistrarOptions, "timers" | "log" | "serverName">> = {}) {
  const timers = new FakeTimers();
  const network = new LoopNetwork(timers);
  const logs: string[] = [];
  const seen: SipRequest[] = [];
  const pbxTransport = network.createTransport(PBX);
  pbxTransport.onMessage((m) => { if (m.kind === "request") seen.push(m); });
  const pbx = await createSipStack({
    transport: pbxTransport, timers, resolver: staticResolver(), log: (l, m) => logs.push(`pbx ${l}: ${m}`),
    onInvite: (call) => void call.reject(404),
    registrar: { realm: "pbx.example", password: (u) => ({ "1000": "pw1000", "1001": "pw1001" } as Record<string, string>)[u], ...registrar },
  });
  const phoneCalls: Call[] = [];
  const phone = await createSipStack({
    transport: network.createTransport(PHONE), timers, resolver: staticResolver(), log: (l, m) => logs.push(`phone ${l}: ${m}`),
    onInvite: (call) => { phoneCalls.push(call); call.answer(ANSWER); },
  });
  const flush = async () => { for (let i = 0; i < 4; i++) await flushMicrotasks(); };
  const registers = () => seen.filter((r) => r.method === "REGISTER");
  return { timers, network, pbx, phone, phoneCalls, logs, flush, registers, advance: (ms: number) => timers.advanceAsync(ms) };
}

describe("registrar and REGISTER client", () => {
  it("registers with digest auth; the location table has the contact and the source; refreshes 15 s before expiry", async () => {
    const w = await world();
    const bound: Binding[] = [];
    w.pbx.registrar!.on("registered", (b) => bound.push(b));
    const reg = w.phone.register({ registrar: "10.0.0.1:5060", user: "1000", domain: "pbx.example", auth: { username: "1000", password: "pw1000" } });
    await w.flush();
    expect(reg.state).toBe("registered");
    expect(reg.grantedExpires).toBe(3600);
    const [first, second] = w.registers();
    expect(first.headers.get("authorization")).toBeUndefined();
    expect(second.headers.get("authorization")).toMatch(/^Digest username="1000", realm="pbx\.example"/);
    expect(second.headers.get("call-id")).toBe(first.headers.get("call-id"));
    expect(second.headers.get("to")).toBe("<sip:1000@pbx.example>");
    expect(second.headers.get("expires")).toBe("3600");
    const bindings = w.pbx.registrar!.lookup("1000");
    expect(bindings).toEqual([expect.objectContaining({ user: "1000", contact: "sip:1000@10.0.0.2:5070", source: PHONE })]);
    expect(bound).toHaveLength(1);

    await w.advance(3584_999);
    expect(w.registers()).toHaveLength(2);
    await w.advance(1);
    await w.flush();
    expect(w.registers()).toHaveLength(4); // refresh (challenged again, answered again)
    await w.advance(30_000);
    expect(w.pbx.registrar!.lookup("1000")).toHaveLength(1);
    expect(reg.state).toBe("registered");
  });

  it("stop() removes the binding with Expires: 0; an unrefreshed binding expires", async () => {
    const w = await world();
    const gone: string[] = [];
    w.pbx.registrar!.on("unregistered", (b, why) => gone.push(`${b.user} ${why}`));
    const reg = w.phone.register({ registrar: "10.0.0.1:5060", user: "1000", auth: { username: "1000", password: "pw1000" } });
    await w.flush();
    expect(w.pbx.registrar!.lookup("1000")).toHaveLength(1);
    await reg.stop();
    await w.flush();
    expect(w.registers().at(-1)!.headers.get("expires")).toBe("0");
    expect(w.pbx.registrar!.lookup("1000")).toHaveLength(0);
    expect(gone).toEqual(["1000 removed"]);

    // A phone that vanishes: its binding lapses on time.
    const w2 = await world({ maxExpires: 120 });
    const lapsed: string[] = [];
    w2.pbx.registrar!.on("unregistered", (b, why) => lapsed.push(`${b.user} ${why}`));
    const reg2 = w2.phone.register({ registrar: "10.0.0.1:5060", user: "1001", auth: { username: "1001", password: "pw1001" }, expires: 600 });
    await w2.flush();
    expect(reg2.grantedExpires).toBe(120); // shortened to the registrar's maximum
    w2.network.knobs.drop = () => true; // the phone goes away
    await w2.advance(119_999);
    expect(w2.pbx.registrar!.lookup("1001")).toHaveLength(1);
    await w2.advance(1);
    expect(w2.pbx.registrar!.lookup("1001")).toHaveLength(0);
    expect(lapsed).toEqual(["1001 expired"]);
  });

  it("a wrong password is refused 403 and retried after retrySeconds times the failures", async () => {
    const w = await world();
    const refused: number[] = [];
    w.pbx.registrar!.on("refused", (r) => refused.push(r.status));
    const reg = w.phone.register({ registrar: "10.0.0.1:5060", user: "1000", auth: { username: "1000", password: "nope" }, retrySeconds: 30 });
    const failures: number[] = [];
    reg.on("failed", (f) => failures.push(f.retryInMs));
    await w.flush();
    expect(reg.state).toBe("failed");
    expect(refused).toEqual([403]);
    expect(failures).toEqual([30_000]);
    await w.advance(30_000);
    await w.flush();
    expect(failures).toEqual([30_000, 60_000]);
    expect(w.pbx.registrar!.lookup("1000")).toHaveLength(0);
  });

  it("a user can only register their own extension", async () => {
    const w = await world();
    const reg = w.phone.register({ registrar: "10.0.0.1:5060", user: "1001", auth: { username: "1000", password: "pw1000" } });
    await w.flush();
    expect(reg.state).toBe("failed");
    expect(w.pbx.registrar!.lookup("1001")).toHaveLength(0);
  });

  it("423 Interval Too Brief: the client retries with Min-Expires and refreshes at half of a short binding", async () => {
    const w = await world({ minExpires: 60 });
    const reg = w.phone.register({ registrar: "10.0.0.1:5060", user: "1000", auth: { username: "1000", password: "pw1000" }, expires: 20 });
    await w.flush();
    expect(reg.state).toBe("registered");
    expect(reg.grantedExpires).toBe(60);
    expect(w.registers().map((r) => r.headers.get("expires"))).toEqual(["20", "20", "60", "60"]);
    await w.advance(45_000); // 60 - 15
    await w.flush();
    expect(w.registers().length).toBeGreaterThan(4);
  });

  it("locks out an address after repeated failures", async () => {
    const w = await world({ maxAuthFailures: 3, lockoutMs: 60_000 });
    const reg = w.phone.register({ registrar: "10.0.0.1:5060", user: "1000", auth: { username: "1000", password: "nope" }, retrySeconds: 1 });
    await w.flush();
    for (let i = 0; i < 4; i++) {
      await w.advance(5_000);
      await w.flush();
    }
    const refusals = w.logs.filter((l) => l.includes("refusing it for"));
    expect(refusals).toHaveLength(1);
    // While locked out, even the first REGISTER gets 403 without a challenge.
    const before = w.registers().length;
    await w.advance(5_000);
    await w.flush();
    expect(w.registers().length).toBe(before + 1);
    expect(reg.state).toBe("failed");
  });

  it("user/1000: the pbx calls the phone at the contact it registered, sent to the address it registered from", async () => {
    const w = await world();
    w.phone.register({ registrar: "10.0.0.1:5060", user: "1000", auth: { username: "1000", password: "pw1000" } });
    await w.flush();
    const [binding] = w.pbx.registrar!.lookup("1000");
    const call = w.pbx.placeCall({ target: binding.contact, destination: binding.source, sdp: OFFER, from: { user: "ivr" } });
    const answered: string[] = [];
    call.on("answered", (a) => answered.push(a.sdp));
    await w.flush();
    expect(w.phoneCalls).toHaveLength(1);
    expect(w.phoneCalls[0].destinationNumber).toBe("1000");
    expect(answered).toEqual([ANSWER]);
    await w.advance(1000);
    expect(w.phoneCalls[0].state).toBe("confirmed"); // our ACK arrived
    await call.hangup();
    expect(w.phoneCalls[0].ended).toEqual({ cause: "NORMAL_CLEARING", by: "remote" });
  });

  it("without a registrar, REGISTER is answered 405", async () => {
    const timers = new FakeTimers();
    const network = new LoopNetwork(timers);
    const bare = await createSipStack({ transport: network.createTransport(PBX), timers, onInvite: () => {} });
    const phone = await createSipStack({ transport: network.createTransport(PHONE), timers, onInvite: () => {}, resolver: staticResolver() });
    const reg = phone.register({ registrar: "10.0.0.1:5060", user: "1000" });
    const failures: number[] = [];
    reg.on("failed", (f) => failures.push(f.status));
    for (let i = 0; i < 4; i++) await flushMicrotasks();
    expect(failures).toEqual([405]);
    expect(bare.registrar).toBeUndefined();
  });
});
