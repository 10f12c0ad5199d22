// TS scripts run isolated (runtime/host/ts-host.ts): each call's script in its own V8 isolate,
// off the SIP thread, with a CPU budget and a heap limit. A runaway loop or allocation ends only
// that script (kind "killed"), while this thread keeps running; the script reaches nothing of
// the host but the Session API and the guarded fetch.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TsHost, loadTsScript, type ScriptEnd } from "../../runtime/host/ts-host";
import { makeSession } from "../session/fakes";

const dir = mkdtempSync(path.join(os.tmpdir(), "ts-isolation-"));
let n = 0;
const lines: Array<[string, string]> = [];
const host = new TsHost({ cpuBudgetMs: 600, memoryLimitMb: 32, httpAllowList: () => [], log: (level, msg) => lines.push([level, msg]) });
afterAll(() => host.close());

function scriptFile(body: string, preamble = ""): string {
  const file = path.join(dir, `s${n++}.ts`);
  writeFileSync(file, `import type { Session } from "ivr-studio/runtime";\n${preamble}\nexport default async function main(session: Session, argv: string[]) {\n${body}\n}\n`);
  return file;
}

async function run(body: string, preamble = "", t = makeSession()): Promise<{ end: ScriptEnd; t: ReturnType<typeof makeSession> }> {
  const end = await host.run(await loadTsScript(scriptFile(body, preamble)), t.session, ["a1", "a2"]);
  return { end, t };
}

/** Largest gap between ticks of this thread's event loop while `p` runs. */
async function loopGapDuring<T>(p: Promise<T>): Promise<{ value: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 5);
  try {
    return { value: await p, maxGapMs };
  } finally {
    clearInterval(timer);
  }
}

describe("TS script isolation", () => {
  it("runs the Session API across the boundary: methods, argv, variables, logs", async () => {
    const { end, t } = await run(`
      await session.answer();
      await session.setVariable("args", argv.join(","));
      await session.setVariable("got", String(await session.getVariable("caller_id_number")));
      await session.consoleLog("info", "hello from the isolate");
      console.log("console too", { n: 1 });
      await session.setVariable("ready", String(await session.ready()));
      await session.streamFile("welcome.wav");
    `);
    expect(end).toEqual({ kind: "returned" });
    expect(t.channel.getVar("args")).toBe("a1,a2");
    expect(t.channel.getVar("got")).toBe("sipp");
    expect(t.channel.getVar("ready")).toBe("true");
    expect(t.media.played).toEqual(["welcome.wav"]);
    expect(t.logs).toContainEqual(["info", "hello from the isolate"]);
    expect(lines).toContainEqual(["info", 'console too {"n":1}']);
  });

  it("warm isolates compiled ahead for one script serve another script's calls too, each running its own code", async () => {
    // Fill the pool with isolates compiled for script A, then alternate A and B: every call runs its own script.
    const a = await loadTsScript(scriptFile(`await session.setVariable("who", "A:" + argv[0]);`));
    const b = await loadTsScript(scriptFile(`await session.setVariable("who", "B:" + argv[0]);`));
    for (let i = 0; i < 10; i++) {
      const t = makeSession();
      expect(await host.run(a, t.session, [`${i}`])).toEqual({ kind: "returned" });
      expect(t.channel.getVar("who")).toBe(`A:${i}`);
    }
    const ends = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const t = makeSession();
        const script = i % 2 ? b : a;
        const end = await host.run(script, t.session, [`${i}`]);
        return [end.kind, t.channel.getVar("who")];
      }),
    );
    expect(ends).toEqual(Array.from({ length: 12 }, (_, i) => ["returned", `${i % 2 ? "B" : "A"}:${i}`]));
  });

  it("a script cannot replace the host's entry points: its own __ivrRun does not run instead of main", async () => {
    const { end, t } = await run(
      `await session.setVariable("ran", "main");`,
      `try { (globalThis as any).__ivrRun = async () => ({ kind: "exit", how: "spoofed" }); } catch {}\nvar __ivrArgv = ["x"];`,
    );
    expect(end).toEqual({ kind: "returned" });
    expect(t.channel.getVar("ran")).toBe("main");
  });

  it("calls input callbacks and hangup hooks back in the script; a hook's \"exit\" ends the script", async () => {
    const t = makeSession();
    t.press("12", 50, 30);
    const { end } = await run(
      `
      const seen: string[] = [];
      await session.setInputCallback((s, type, input: any, arg) => { seen.push(arg + input.digit); return input.digit === "2" ? "break" : undefined; }, "d");
      await session.streamFile("silence_stream://3000");
      await session.setVariable("seen", seen.join(","));
      await session.setHangupHook(async (s, status) => { await s.setVariable("hook", status); return "exit"; });
      await session.hangup();
      await session.setVariable("after", "not reached");
    `,
      "",
      t,
    );
    expect(end).toEqual({ kind: "exit", how: "exit" });
    expect(t.channel.getVar("seen")).toBe("d1,d2");
    expect(t.channel.getVar("hook")).toBe("hangup");
    expect(t.channel.getVar("after")).toBeUndefined();
  });

  it("a for(;;){} after an await is stopped by the CPU budget, without blocking this thread", async () => {
    const { value, maxGapMs } = await loopGapDuring(run(`await session.answer(); for (;;) {}`));
    expect(value.end).toEqual({ kind: "killed", reason: "CPU budget of 600 ms exceeded" });
    // The loop spins for the whole budget on another thread; this one keeps turning.
    expect(maxGapMs).toBeLessThan(300);
    expect(lines.some(([l, m]) => l === "err" && m.includes("CPU budget of 600 ms exceeded"))).toBe(true);
  });

  it("a runaway loop at the module's top level and in an input callback are stopped too", async () => {
    expect((await run(`await session.answer();`, "for (;;) {}")).end).toMatchObject({ kind: "killed" });
    const t = makeSession();
    t.press("5", 20);
    const { end } = await run(`await session.setInputCallback(() => { for (;;) {} }); await session.sleep(2000);`, "", t);
    expect(end).toMatchObject({ kind: "killed", reason: "CPU budget of 600 ms exceeded" });
  });

  it("a 2 GB allocation and an unbounded heap are refused by the isolate's limit and end the script", async () => {
    const rss0 = process.memoryUsage().rss;
    const big = await run(`await session.answer(); const b = new Uint8Array(2 * 1024 ** 3); b.fill(1);`);
    expect(big.end).toMatchObject({ kind: "killed" });
    expect((big.end as { reason: string }).reason).toMatch(/^memory limit of 32 MB/);
    const heap = await run(`const keep: number[][] = []; for (;;) keep.push(new Array(100_000).fill(1.5));`);
    expect(heap.end).toEqual({ kind: "killed", reason: "memory limit of 32 MB exceeded" });
    // Nothing near 2 GB ever reached this process.
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 1024 * 1024);
  });

  it("a runaway script does not hold up another call's script", async () => {
    const spin = run(`for (;;) {}`);
    const t0 = performance.now();
    const other = await run(`await session.sleep(100); await session.setVariable("done", "yes");`);
    const otherMs = performance.now() - t0;
    expect(other.end).toEqual({ kind: "returned" });
    expect(other.t.channel.getVar("done")).toBe("yes");
    expect((await spin).end).toMatchObject({ kind: "killed" });
    // The other script finished while the runaway one still had budget left.
    expect(otherMs).toBeLessThan(600);
  });

  it("a loop of host calls that never awaits cannot flood this thread: at most 100 in flight", async () => {
    const before = lines.length;
    const { value, maxGapMs } = await loopGapDuring(run(`await session.answer(); for (;;) console.log("flood");`));
    expect(value.end).toEqual({ kind: "killed", reason: "CPU budget of 600 ms exceeded" });
    const flood = lines.slice(before).filter(([, m]) => m === "flood").length;
    expect(flood).toBeGreaterThan(0);
    expect(flood).toBeLessThanOrEqual(100);
    expect(maxGapMs).toBeLessThan(300);
  });

  it("host calls in an awaiting loop are held to 500 a second", async () => {
    const t = makeSession();
    t.hangupAfter(1000);
    const { end } = await run(`let n = 0; while (await session.ready()) n++; await session.setVariable("n", String(n));`, "", t);
    expect(end).toEqual({ kind: "returned" });
    // 1 s at 500 calls/s plus the first burst of 500 (unthrottled, this loop makes tens of thousands)
    expect(Number(t.channel.getVar("n"))).toBeLessThanOrEqual(1100);
    expect(Number(t.channel.getVar("n"))).toBeGreaterThan(100);
  });

  it("what a script hands the runtime is bounded: 64 KiB per call, 4 MiB of channel variables, 4 KiB per logged string", async () => {
    const { end, t } = await run(`
      let big = "";
      try { await session.consoleLog("info", "x".repeat(100_000)); } catch (e) { big = (e as Error).name + ": " + (e as Error).message; }
      // Replacing JSON does not get around the check (the realm took it before the script ran).
      (JSON as any).stringify = () => "[]";
      let patched = "";
      try { await session.setVariable("p", "y".repeat(100_000)); } catch (e) { patched = (e as Error).name; }
      for (let i = 0; i < 80; i++) await session.setVariable("v" + i, "z".repeat(60_000));
      let kept = 0;
      for (let i = 0; i < 80; i++) if ((await session.getVariable("v" + i)) !== undefined) kept++;
      await session.setVariable("report", [big, patched, kept].join("|"));
    `);
    expect(end).toEqual({ kind: "returned" });
    const [big, patched, kept] = t.channel.getVar("report")!.split("|");
    expect(big).toBe("RangeError: session: the arguments are larger than 65536 characters");
    expect(patched).toBe("RangeError");
    expect(t.channel.getVar("p")).toBeUndefined();
    // 4 MiB of variables hold about 69 values of 60,000 characters; the rest were refused and logged.
    expect(Number(kept)).toBeGreaterThan(60);
    expect(Number(kept)).toBeLessThan(80);
    expect(t.logs.some(([l, m]) => l === "err" && /setVariable v\d+: refused, the channel's variables would pass 4194304 characters/.test(m))).toBe(true);
    const logged = t.trace.find((r) => r.method === "setVariable" && r.args[0] === "v0")!;
    expect(logged.args[1]).toBe(`${"z".repeat(4096)}…[60000 characters]`);
  });

  it("refuses Node built-ins and packages when the script is compiled", async () => {
    await expect(loadTsScript(scriptFile(`const cp = require("child_process"); cp.execSync("id");`))).rejects.toThrow(
      /import of "child_process" is not allowed/,
    );
    await expect(loadTsScript(scriptFile(`readFileSync("/etc/passwd");`, `import { readFileSync } from "node:fs";`))).rejects.toThrow(
      /import of "node:fs" is not allowed/,
    );
    await expect(loadTsScript(scriptFile(``, `import { FsSession } from "ivr-studio/runtime";\nvoid FsSession;`))).rejects.toThrow(/not allowed/);
    await expect(loadTsScript(scriptFile(`await import("fs");`))).rejects.toThrow(/import of "fs" is not allowed/);
  });

  it("has no require, process, file system or host globals at run time", async () => {
    const { end, t } = await run(`
      const g = globalThis as any;
      const req = "req" + "uire";
      await session.setVariable("globals", [typeof g[req], typeof g.process, typeof g.Buffer, typeof g.WebAssembly, typeof g.SharedArrayBuffer, typeof g.__ivrBridge].join(","));
      const imp = new Function("m", "return import(m)");
      const r = await imp("node:fs").then((fs: any) => fs.readFileSync("/etc/passwd", "utf8"), (e: Error) => "refused: " + e.message);
      await session.setVariable("passwd", String(r).slice(0, 80));
      let out = "";
      try { g[req]("child_process"); } catch (e) { out = (e as Error).name; }
      await session.setVariable("require", out);
    `);
    expect(end).toEqual({ kind: "returned" });
    expect(t.channel.getVar("globals")).toBe("undefined,undefined,undefined,undefined,undefined,undefined");
    expect(t.channel.getVar("passwd")).toMatch(/^refused: /);
    expect(t.channel.getVar("passwd")).not.toContain("root:");
    expect(t.channel.getVar("require")).toBe("TypeError");
  });

  it("refuses host calls the Session API does not have", async () => {
    const { end } = await run(`await (session as any).channel?.setVar?.("x", "y"); await (session as any).doHangup("X");`);
    expect(end).toMatchObject({ kind: "error", message: expect.stringMatching(/doHangup is not a function/) });
  });
});
