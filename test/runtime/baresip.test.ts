// baresip as a second, independent SIP user agent: it dials the IVR, the call is answered, it
// sends DTMF with sndcode (RFC 2833 telephone-events, baresip's default) and hangs up.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeUdpPort } from "../sip/sipp-harness";
import { Baresip, hasBaresip } from "./support/baresip";
import { startIvr, type IvrFixture } from "./support/ivr-fixture";

let ivr: IvrFixture;
beforeAll(async () => {
  ivr = await startIvr({ rtpPorts: [44300, 44399], routes: { "8000": "menu.ts 1 4 1 3000 # ^[0-9]+$" } });
});
afterAll(async () => {
  await ivr?.stop();
});

describe.skipIf(!hasBaresip)("baresip as the caller", () => {
  it("dials, presses 1 2 3 # (RFC 2833), hangs up: the script got 123", async () => {
    const phone = await Baresip.start(await freeUdpPort(), await freeUdpPort());
    try {
      phone.command("dial", `sip:8000@127.0.0.1:${ivr.port}`);
      await phone.waitForEvent("CALL_ESTABLISHED");
      for (const d of ["1", "2", "3", "#"]) {
        phone.command("sndcode", d);
        await new Promise((r) => setTimeout(r, 250));
      }
      // the script has its digits once it logs them; then the caller hangs up
      const until = Date.now() + 4000;
      while (!ivr.log.some((e) => "method" in e && e.method === "consoleLog") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      phone.command("hangup");
      await phone.waitForEvent("CALL_CLOSED");
    } finally {
      await phone.stop();
    }
    const call = await ivr.callTo("8000");
    expect(call.start.from).toBe("test");
    expect(call.results("playAndGetDigits")).toEqual(["123"]);
    expect(call.results("sleep")).toEqual([0]); // interrupted by baresip's BYE
    expect(call.end.cause).toBe("NORMAL_CLEARING");
  });
});
