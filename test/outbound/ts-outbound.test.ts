// The TS equivalents of freeswitch.Session(dial, session) and freeswitch.bridge, through the
// isolated TS host: legs cross the isolate boundary as handles.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTsScript, TsHost } from "../../runtime/host/ts-host";
import { CallLogger, type CallLogEntry } from "../../runtime/session/call-log";
import { makeEngine } from "./support";

const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-outbound-ts-"));

async function runTs(code: string, t: ReturnType<typeof makeEngine>, a: ReturnType<ReturnType<typeof makeEngine>["caller"]>) {
  const file = path.join(dir, `s${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, code);
  // One run per host: nothing to keep warm (a pool still building when the file ends can abort the process).
  const host = new TsHost({ warmIsolates: 0, httpAllowList: () => [], log: (level, msg) => t.logs.push([level, msg]) });
  const end = await host.run(await loadTsScript(file), a.session, []);
  await host.close();
  const kept = a.session.releaseOwnedLegs();
  return { end, kept };
}

describe("TS scripts: originateSession and bridgeSession", () => {
  it("originates a leg with the caller as A leg, bridges, and goes on after the far end hangs up", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, ring: true }, { at: 40, answer: true }, { at: 120, end: "NORMAL_CLEARING" }] } });
    // The call log (JSON lines) records the leg by its uuid and cause.
    const log: string[] = [];
    const logger = new CallLogger("call-1", (e: CallLogEntry) => log.push(JSON.stringify(e)));
    const a = t.caller({}, true, (r) => logger.method(r));
    const { end } = await runTs(
      `import type { Session } from "ivr-studio/runtime";
      export default async function main(session: Session) {
        const leg = await session.originateSession("user/1000");
        await session.consoleLog("notice", "leg " + (await leg.ready()) + " " + (await leg.hangupCause()) + " " + (await leg.getState()));
        await session.bridgeSession(leg);
        await session.consoleLog("notice", "after " + (await session.ready()) + " " + (await leg.ready()) + " " + (await session.getVariable("last_bridge_hangup_cause")));
        const busy = await session.originateSession("user/2000", false);
        await session.consoleLog("notice", "dead " + (await busy.ready()) + " " + (await busy.hangupCause()));
      }`,
      t,
      a,
    );
    expect(end).toEqual({ kind: "returned" });
    expect(t.logs.filter(([l]) => l === "notice").map(([, m]) => m)).toEqual([
      "leg true SUCCESS CS_SOFT_EXECUTE",
      "after true false NORMAL_CLEARING",
      "dead false SUBSCRIBER_ABSENT",
    ]);
    const originated = log.map((l) => JSON.parse(l)).filter((e) => e.method === "originateSession");
    expect(originated.map((e) => e.result.cause)).toEqual(["SUCCESS", "SUBSCRIBER_ABSENT"]);
    expect(originated[0].result.session).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a leg still up when the script ends hangs up, unless setAutoHangup(false)", async () => {
    const t = makeEngine({ scripts: { "1000": [{ at: 10, answer: true }], "1001": [{ at: 10, answer: true }] } });
    const a = t.caller();
    const { kept } = await runTs(
      `import type { Session } from "ivr-studio/runtime";
      export default async function main(session: Session) {
        await session.originateSession("user/1000");
        const keep = await session.originateSession("user/1001");
        await keep.setAutoHangup(false);
      }`,
      t,
      a,
    );
    expect(t.dialer.byDestination("1000")[0].hangups).toEqual(["NORMAL_CLEARING"]);
    expect(t.dialer.byDestination("1001")[0].hangups).toEqual([]);
    expect(kept).toHaveLength(1);
    kept[0].doHangup("NORMAL_CLEARING");
  });
});
