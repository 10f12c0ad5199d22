// Gateway pings as mod_sofia does them, against SIPp answering OPTIONS on loopback: a gateway
// that answers is up; a 503 (or no answer) below ping-min marks it down, and a Bridge through it
// then fails at once with GATEWAY_DOWN (nothing is sent); once it answers again it is up again.
// One `ping` second is shortened to 20 ms here (pingSecondMs): ping=5 is an OPTIONS every 100 ms.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewaySpec } from "../../runtime/outbound/destinations";
import { GatewayMonitor } from "../../runtime/outbound/gateway-monitor";
import { compileRoute } from "../../runtime/routes";
import { freeUdpPort, SCENARIOS, SIPP } from "../sip/sipp-harness";
import { startIvr, type IvrFixture } from "../runtime/support/ivr-fixture";
import { explain, hasSipp, sipp } from "../runtime/support/sipp";
import { writeScenario } from "../runtime/support/uac-scenario";

let ivr: IvrFixture;
let gwPort = 0;

/** SIPp on the gateway's port answering one OPTIONS (or REGISTER) with `status`; resolves with its exit code. */
function answerOnePing(status: 200 | 503 | 403, what = "options", port = gwPort): Promise<number | null> {
  const args = ["-sf", path.join(SCENARIOS, `uas-${what}-${status}.xml`), "-m", "1", "-i", "127.0.0.1", "-p", String(port), "-nostdin", "-timeout", "10s", "-timeout_error"];
  const child = spawn(SIPP, args, { stdio: "ignore", cwd: ivr.dir });
  return new Promise((resolve) => child.on("close", resolve));
}

async function statusBecomes(want: "up" | "down"): Promise<void> {
  for (let i = 0; i < 200 && ivr.server.gatewayStatus("pinged") !== want; i++) await new Promise((r) => setTimeout(r, 25));
  expect(ivr.server.gatewayStatus("pinged"), ivr.lines.join("\n")).toBe(want);
}

beforeAll(async () => {
  gwPort = await freeUdpPort();
  ivr = await startIvr({ rtpPorts: [45600, 45649], routes: {}, sipTimers: { T1: 50 }, outbound: { pingSecondMs: 20 } });
  const file = path.join(ivr.dir, "bridge.lua");
  writeFileSync(
    file,
    `session:answer()
session:setVariable("continue_on_fail", "true")
session:execute("bridge", "sofia/gateway/pinged/2000")
freeswitch.consoleLog("notice", "result " .. tostring(session:getVariable("originate_disposition")) .. "\\n")
session:hangup()
`,
  );
  ivr.server.setRoutes([compileRoute({ pattern: "5000", target: file })]);
  ivr.server.setOutbound({ gateways: [parseGatewaySpec(`pinged=127.0.0.1:${gwPort};allow=2XXX;ping=5`)], users: [] });
}, 30_000);

afterAll(() => ivr?.stop());

describe.skipIf(!hasSipp)("gateway pings", () => {
  it("up while it answers, down on a 503 (legs fail GATEWAY_DOWN without an INVITE), up again once it answers", async () => {
    expect(await answerOnePing(200)).toBe(0);
    for (let i = 0; i < 100 && !ivr.server.outboundState.gateways[0]?.lastPing; i++) await new Promise((r) => setTimeout(r, 25));
    expect(ivr.server.outboundState.gateways[0]).toMatchObject({ name: "pinged", status: "up", registration: "off", pingCount: 1, lastPing: { status: 200 } });

    expect(await answerOnePing(503)).toBe(0);
    await statusBecomes("down");
    expect(ivr.lines.some((l) => /^warning gateway pinged is down \(ping failed with 503, count 1\/0\/1\)$/.test(l))).toBe(true);

    const caller = await sipp(writeScenario(ivr.dir, "caller", { steps: [], hangup: "ivr" }), ivr.port, "5000");
    expect(caller.code, explain(caller)).toBe(0);
    await ivr.callTo("5000");
    for (let i = 0; i < 100 && !ivr.lines.some((l) => l.startsWith("notice result ")); i++) await new Promise((r) => setTimeout(r, 25));
    expect(ivr.lines.find((l) => l.startsWith("notice result "))?.trim()).toBe("notice result GATEWAY_DOWN");
    expect(ivr.lines.some((l) => l.includes("New outbound leg"))).toBe(false);

    expect(await answerOnePing(200)).toBe(0);
    await statusBecomes("up");
  }, 30_000);

  it("a gateway with register=yes is down until its registrar says 200, and one whose REGISTER is refused (403) is down", async () => {
    const regPort = await freeUdpPort();
    const registered = answerOnePing(200, "register", regPort);
    ivr.server.setOutbound({ gateways: [parseGatewaySpec(`reg=127.0.0.1:${regPort};user=acct;pass=secret-1;register=yes;allow=2XXX`)], users: [] });
    expect(ivr.server.gatewayStatus("reg")).toBe("down");
    expect(await registered).toBe(0);
    for (let i = 0; i < 200 && ivr.server.gatewayStatus("reg") !== "up"; i++) await new Promise((r) => setTimeout(r, 25));
    expect(ivr.server.outboundState.gateways.find((g) => g.name === "reg")).toMatchObject({ status: "up", registration: "registered" });
    // Another gateway whose registrar refuses: failed, down.
    const port2 = await freeUdpPort();
    const refused = answerOnePing(403, "register", port2);
    await new Promise((r) => setTimeout(r, 300));
    ivr.server.setOutbound({ gateways: [parseGatewaySpec(`reg2=127.0.0.1:${port2};user=acct;pass=secret-2;register=yes;allow=2XXX`)], users: [] });
    expect(await refused).toBe(0);
    for (let i = 0; i < 200 && ivr.server.outboundState.gateways.find((g) => g.name === "reg2")?.registration !== "failed"; i++) await new Promise((r) => setTimeout(r, 25));
    expect(ivr.server.outboundState.gateways.find((g) => g.name === "reg2")).toMatchObject({ status: "down", registration: "failed" });
    expect(ivr.lines.some((l) => /registration acct@127\.0\.0\.1:\d+ failed: 403 Forbidden/.test(l)), ivr.lines.join("\n")).toBe(true);
  }, 30_000);
});

describe("ping-min and ping-max (sofia_handle_sip_r_options)", () => {
  it("counts successes up to ping-max, is up from ping-min, and down once failures take it below", async () => {
    const answers = [200, 503, 200, 200, 200, 200, 503, 503, 404];
    const seen: string[] = [];
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const monitor = new GatewayMonitor(parseGatewaySpec("gw=192.0.2.1:5060;allow=1X;ping=5;ping-min=2;ping-max=3"), {
      register: () => {
        throw new Error("no registration without register=yes");
      },
      ping: async () => ({ status: answers.shift() ?? 200, reason: "" }),
      log: () => undefined,
      changed: () => {
        seen.push(`${monitor.state.pingCount}:${monitor.status}`);
        if (seen.length === 9) resolveDone();
      },
      pingSecondMs: 1,
    });
    expect(monitor.status).toBe("up");
    monitor.start();
    await done;
    await monitor.stop();
    // A 404 is an answer: it counts as a success (only 408 and 503 fail).
    expect(seen).toEqual(["1:up", "0:down", "1:down", "2:up", "3:up", "3:up", "2:up", "1:down", "2:up"]);
  });

  it("a gateway with register=yes is down until registered", () => {
    const m = new GatewayMonitor(parseGatewaySpec("gw=192.0.2.1;user=u;pass=p;register=yes"), {
      register: () => ({ on: () => undefined, stop: async () => undefined }) as never,
      ping: async () => ({ status: 200, reason: "" }),
      log: () => undefined,
      changed: () => undefined,
    });
    expect(m.status).toBe("down");
  });
});
