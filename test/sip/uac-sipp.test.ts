// Outgoing calls against a real callee: SIPp as the UAS over UDP on 127.0.0.1 (real timers).
import { afterEach, describe, expect, it } from "vitest";
import { createSipStack, type CallEnded, type FailedEvent, type OutboundCall, type SipStack } from "../../runtime/sip/index";
import { hasSipp, startSippUas, type SippResult, type SippUas } from "./sipp-harness";

const OFFER = "v=0\r\no=ivr 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

const open: Array<SipStack | SippUas> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    if ("kill" in o) o.kill();
    else await o.close();
  }
});

function explain(r: SippResult) {
  return `sipp exit ${r.code}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout.slice(-1500)}`;
}

/** Our stack, SIPp running `scenario`, and one call placed to it; events recorded in order. */
async function callSipp(scenario: string, options: { timeoutMs?: number; auth?: { username: string; password: string } } = {}) {
  const uas = await startSippUas(scenario);
  const stack = await createSipStack({ address: "127.0.0.1", port: 0, onInvite: (c) => void c.reject(404) });
  open.push(uas, stack);
  const call = stack.placeCall({ target: `sip:2000@127.0.0.1:${uas.port}`, sdp: OFFER, from: { user: "4155550100", displayName: "IVR" }, ...options });
  const events: string[] = [];
  const failed: FailedEvent[] = [];
  const ended = new Promise<CallEnded>((resolve) => call.on("ended", resolve));
  const answeredSdp = new Promise<string>((resolve) => call.on("answered", (a) => resolve(a.sdp)));
  // If SIPp gives up first, say why instead of waiting for the test timeout.
  const answered = () => Promise.race([answeredSdp, uas.done.then((r) => { throw new Error(`not answered; ${explain(r)}`); })]);
  call.on("progress", (e) => events.push(`${e.status}`));
  call.on("early", () => events.push("early"));
  call.on("answered", () => events.push("answered"));
  call.on("failed", (e) => { failed.push(e); events.push(`failed ${e.status} ${e.cause}`); });
  return { uas, stack, call, events, failed, ended, answered };
}

async function settle(stack: SipStack) {
  for (let i = 0; i < 100 && stack.stats.outboundCalls > 0; i++) await new Promise((r) => setTimeout(r, 20));
}

describe.skipIf(!hasSipp)("outgoing calls to SIPp (UDP, 127.0.0.1)", () => {
  it("answered: 180 then 200 with SDP, ACK; our BYE carries Reason Q.850 cause 16", async () => {
    const { uas, stack, call, events, answered } = await callSipp("uas-answer");
    const sdp = await answered();
    expect(sdp).toMatch(/^v=0\r\no=callee /);
    expect(call.state).toBe("confirmed");
    await call.hangup("NORMAL_CLEARING");
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
    expect(events).toEqual(["180", "answered"]);
    expect(call.ended).toEqual({ cause: "NORMAL_CLEARING", by: "local" });
    await settle(stack);
    expect(stack.stats.outboundCalls).toBe(0);
  });

  it("early media: 183 with SDP is an 'early' event with the callee's SDP, then 200", async () => {
    const { uas, call, events, answered } = await callSipp("uas-early-media");
    const early = new Promise<string>((resolve) => call.on("early", (e) => resolve(e.sdp)));
    expect(await early).toMatch(/\r\ns=early\r\n/);
    await answered();
    await call.hangup();
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
    expect(events).toEqual(["early", "answered"]);
  });

  it("answered, then the callee hangs up: their BYE ends the call with the cause of its Reason", async () => {
    const { uas, call, ended } = await callSipp("uas-answer-hangup");
    expect(await ended).toEqual({ cause: "NORMAL_CLEARING", by: "remote" });
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
    expect(call.state).toBe("ended");
  });

  it("486 Busy Here: ACKed, failed USER_BUSY", async () => {
    const { uas, failed, ended } = await callSipp("uas-486");
    expect(await ended).toEqual({ cause: "USER_BUSY", by: "remote", status: 486 });
    expect(failed).toEqual([expect.objectContaining({ status: 486, reason: "Busy Here", cause: "USER_BUSY" })]);
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
  });

  it("404 Not Found: ACKed, failed UNALLOCATED_NUMBER", async () => {
    const { uas, failed, ended } = await callSipp("uas-404");
    expect((await ended).cause).toBe("UNALLOCATED_NUMBER");
    expect(failed[0]).toMatchObject({ status: 404, cause: "UNALLOCATED_NUMBER" });
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
  });

  it("no answer until our timeout: CANCEL with Reason NO_ANSWER, 487 ACKed", async () => {
    const { uas, stack, events, ended } = await callSipp("uas-no-answer", { timeoutMs: 800 });
    expect(await ended).toEqual({ cause: "NO_ANSWER", by: "local", status: 487 });
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
    expect(events).toEqual(["180", "failed 487 NO_ANSWER"]);
    await settle(stack);
    expect(stack.stats.outboundCalls).toBe(0);
  });

  it("401 then 200: our Authorization passes SIPp's verifyauth (MD5, qop=auth)", async () => {
    const { uas, call, answered } = await callSipp("uas-auth-401", { auth: { username: "acct", password: "s3cret" } });
    await answered();
    await call.hangup();
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
  });

  it("401 with a wrong password: SIPp's verifyauth refuses it (403), the call fails CALL_REJECTED", async () => {
    const { uas, failed, ended } = await callSipp("uas-auth-401", { auth: { username: "acct", password: "wrong" } });
    expect((await ended).cause).toBe("CALL_REJECTED");
    expect(failed[0]).toMatchObject({ status: 403 });
    await uas.done;
  });

  it("407 then 200: Proxy-Authorization for the proxy's realm and nonce", async () => {
    const { uas, call, answered } = await callSipp("uas-auth-407", { auth: { username: "acct", password: "s3cret" } });
    await answered();
    await call.hangup();
    const r = await uas.done;
    expect(r.code, explain(r)).toBe(0);
  });

  it("cancel() while ringing: CANCEL, 487, the call ends ORIGINATOR_CANCEL", async () => {
    const uas = await startSippUas("uas-no-answer");
    const stack = await createSipStack({ address: "127.0.0.1", port: 0, onInvite: (c) => void c.reject(404) });
    open.push(uas, stack);
    const call: OutboundCall = stack.placeCall({ target: `sip:2000@127.0.0.1:${uas.port}`, sdp: OFFER });
    await new Promise<void>((resolve) => call.on("progress", () => resolve()));
    call.cancel();
    expect(call.ended).toEqual({ cause: "ORIGINATOR_CANCEL", by: "local", status: 487 });
    // This scenario wants Reason NO_ANSWER, so SIPp fails its check and prints what our CANCEL carried.
    const r = await uas.done;
    expect(r.stderr).toContain(`looking in ' SIP;cause=487;text="ORIGINATOR_CANCEL"'`);
  });
});
