// One script cannot hurt another call (issue 11, finding 1). While a SIPp call is up on a steady
// prompt, another call's TS script spins in for(;;){}, allocates 2 GB, or grows its heap without
// bound. On 1df1693 the first froze the SIP thread (no answer to BYE or OPTIONS) and the last
// killed the process. Now each such call alone ends NORMAL_TEMPORARY_FAILURE with the reason in
// the log, while the other call keeps its RTP, OPTIONS are answered, and its BYE gets its 200.
// (How smooth that RTP stays is measured by bench/isolation, not asserted here.)
import dgram from "node:dgram";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";
import { rawUac } from "./support/raw-uac";
import { explain, hasSipp, sipp } from "./support/sipp";
import { uacScenario, writeScenario } from "./support/uac-scenario";

let ivr: IvrFixture;
const BUDGET_MS = 1000;

beforeAll(async () => {
  ivr = await startIvr({
    routes: { "8100": "runaway.ts", "8101": "allocate-2gb.ts", "8102": "allocate-unbounded.ts", "8110": "steady-audio.ts" },
    rtpPorts: [44650, 44699],
    cpuBudgetMs: BUDGET_MS,
    scriptMemoryMb: 32,
  });
});
afterAll(async () => {
  await ivr?.stop();
});

/** A UDP socket that notes when each RTP packet from the IVR arrives. */
async function rtpReceiver() {
  const sock = dgram.createSocket("udp4");
  const arrivals: number[] = [];
  sock.on("message", (m) => {
    if (m.length > 12 && m[0] >> 6 === 2) arrivals.push(performance.now());
  });
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  return { port: sock.address().port, arrivals, close: () => sock.close() };
}

/** OPTIONS to the IVR every 100 ms until stopped; counts sent and answered. */
async function optionsPinger(target: number) {
  const uac = await rawUac(target);
  let sent = 0;
  const timer = setInterval(() => {
    sent++;
    void uac.send(
      `OPTIONS sip:ping@127.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:${uac.port};branch=z9hG4bK-ping${sent};rport\n` +
        `From: <sip:ping@127.0.0.1>;tag=p${sent}\nTo: <sip:ping@127.0.0.1>\nCall-ID: ping-${sent}-${uac.port}\nCSeq: ${sent} OPTIONS\n` +
        `Max-Forwards: 70\nContent-Length: 0\n\n`,
    );
  }, 100);
  return {
    async stop() {
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 300)); // the last ones' answers
      const answered = new Set(uac.received.filter((m) => m.startsWith("SIP/2.0 200")).map((m) => /Call-ID: (\S+)/i.exec(m)?.[1]));
      uac.close();
      return { sent, answered: answered.size };
    },
  };
}

/** A SIPp caller on the steady prompt whose SDP points our RTP at `rtpPort`; it sends BYE after `ms`. */
function steadyCall(name: string, rtpPort: number, ms: number) {
  const file = writeScenario(ivr.dir, name, { steps: [{ pause: ms }] });
  writeFileSync(file, uacScenario({ steps: [{ pause: ms }] }).replace("m=audio [media_port]", `m=audio ${rtpPort}`).replace("c=IN IP[media_ip_type] [media_ip]", "c=IN IP4 127.0.0.1"));
  return sipp(file, ivr.port, "8110", [], 20_000);
}

/** The misbehaving call (SIPp waits for our BYE) beside a steady call; what each side saw. */
async function misbehaveBeside(number: string) {
  const rtp = await rtpReceiver();
  const steady = steadyCall(`steady-${number}`, rtp.port, 5000);
  // Let the steady call settle, then the misbehaving one comes in.
  const t0 = performance.now();
  while (rtp.arrivals.length < 10 && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
  const pinger = await optionsPinger(ivr.port);
  const windowStart = performance.now();
  const bad = await sipp(writeScenario(ivr.dir, `bad-${number}`, { hangup: "ivr" }), ivr.port, number, [], 20_000);
  const windowEnd = performance.now();
  const options = await pinger.stop();
  const steadyRun = await steady;
  rtp.close();
  const inWindow = rtp.arrivals.filter((t) => t >= windowStart && t <= windowEnd);
  let maxGap = 0;
  for (let i = 1; i < inWindow.length; i++) maxGap = Math.max(maxGap, inWindow[i] - inWindow[i - 1]);
  return { bad, steadyRun, options, rtpInWindow: inWindow.length, windowMs: windowEnd - windowStart, maxGap };
}

describe.skipIf(!hasSipp)("a TS script that misbehaves ends only its own call", () => {
  it("for(;;){}: stopped by the CPU budget; the other call keeps RTP, OPTIONS answered, its BYE answered", async () => {
    const r = await misbehaveBeside("8100");
    expect(r.bad.code, explain(r.bad)).toBe(0); // our BYE reached the runaway call's caller
    expect(r.steadyRun.code, explain(r.steadyRun)).toBe(0); // the steady caller's BYE got its 200
    const bad = await ivr.callTo("8100");
    expect(bad.results("answer")).toEqual([1]);
    expect(bad.end.cause).toBe("NORMAL_TEMPORARY_FAILURE");
    expect(ivr.lines.some((l) => l.startsWith("err") && l.includes(`CPU budget of ${BUDGET_MS} ms exceeded`))).toBe(true);
    // The runaway call lasted about the budget; OPTIONS were answered all along.
    expect(r.windowMs).toBeGreaterThan(BUDGET_MS);
    expect(r.options.sent).toBeGreaterThan(5);
    expect(r.options.answered).toBe(r.options.sent);
    // RTP kept flowing to the steady call through the whole window (20 ms packets).
    expect(r.rtpInWindow).toBeGreaterThan((r.windowMs / 20) * 0.8);
    expect(r.maxGap).toBeLessThan(250);
    expect((await ivr.callTo("8110")).end.cause).toBe("NORMAL_CLEARING");
  }, 40_000);

  it("a 2 GB allocation and an unbounded heap: refused by the script's heap limit; the other call is untouched", async () => {
    const rss0 = process.memoryUsage().rss;
    for (const number of ["8101", "8102"]) {
      const r = await misbehaveBeside(number);
      expect(r.bad.code, explain(r.bad)).toBe(0);
      expect(r.steadyRun.code, explain(r.steadyRun)).toBe(0);
      const bad = await ivr.callTo(number);
      expect(bad.end.cause, ivr.lines.join("\n")).toBe("NORMAL_TEMPORARY_FAILURE");
      expect(bad.methods.map((m) => m.method)).toEqual(["answer"]); // never got to log "allocated"
      expect(r.options.answered).toBe(r.options.sent);
      expect(r.rtpInWindow).toBeGreaterThan((r.windowMs / 20) * 0.8);
    }
    expect(ivr.lines.filter((l) => l.startsWith("err") && /memory limit of 32 MB/.test(l)).length).toBeGreaterThanOrEqual(2);
    // The runtime's own memory never took the 2 GB.
    expect(process.memoryUsage().rss - rss0).toBeLessThan(1024 * 1024 * 1024);
  }, 60_000);
});
