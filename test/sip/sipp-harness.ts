// Runs SIPp (Debian sip-tester) against a real UDP SIP stack on 127.0.0.1.
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SIPP = "/usr/bin/sipp";
export const hasSipp = existsSync(SIPP);
export const SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../sipp");

/** A currently free UDP port on 127.0.0.1 (bound then released). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface SippResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** One SIPp call (-m 1) with scenario test/sipp/<name>.xml to 127.0.0.1:<port>, calling <service>. */
export async function runSipp(scenario: string, targetPort: number, service: string, extraArgs: string[] = []): Promise<SippResult> {
  // A port found free can be taken before SIPp binds it (other tests, RTP ranges): SIPp then
  // stops at once without sending anything. Try again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    const r = await runSippOnce(scenario, targetPort, service, extraArgs);
    if (attempt >= 3 || r.code === 0 || !/bind|address already in use/i.test(r.stderr) || r.ms > 3000) return r;
  }
}

async function runSippOnce(scenario: string, targetPort: number, service: string, extraArgs: string[]): Promise<SippResult> {
  const localPort = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const cwd = mkdtempSync(path.join(tmpdir(), "ivr-sipp-"));
  const args = [
    `127.0.0.1:${targetPort}`, "-sf", path.join(SCENARIOS, `${scenario}.xml`), "-m", "1", "-l", "1",
    // A whole-scenario cap (the scenarios' own recv timeouts are shorter); a caller may give its own.
    ...(extraArgs.includes("-timeout") ? [] : ["-timeout", "10s"]), "-timeout_error", "-i", "127.0.0.1", "-p", String(localPort), "-mp", String(mediaPort),
    "-s", service, "-nostdin", "-recv_timeout", "8000", ...extraArgs,
  ];
  const started = Date.now();
  try {
    return await new Promise<SippResult>((resolve) => {
      const child = spawn(SIPP, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => { stdout += d; });
      child.stderr.on("data", (d) => { stderr += d; });
      const cap = extraArgs.indexOf("-timeout");
      const capMs = cap >= 0 ? Number.parseInt(extraArgs[cap + 1], 10) * 1000 : 10_000;
      const killer = setTimeout(() => child.kill("SIGKILL"), capMs + 5_000);
      child.on("close", (code) => {
        clearTimeout(killer);
        resolve({ code, stdout: stdout.slice(-4000), stderr: stderr.slice(-4000), ms: Date.now() - started });
      });
      child.on("error", (err) => {
        clearTimeout(killer);
        resolve({ code: -1, stdout, stderr: String(err), ms: Date.now() - started });
      });
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

export interface SippUas {
  /** The UDP port SIPp listens on (127.0.0.1). */
  port: number;
  /** Resolves when SIPp exits (its one call done, or failed). */
  done: Promise<SippResult>;
  kill(): void;
}

/** Whether something (SIPp) has bound this UDP port on 127.0.0.1. */
async function portTaken(port: number): Promise<boolean> {
  const socket = dgram.createSocket("udp4");
  return new Promise((resolve) => {
    socket.once("error", () => resolve(true));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(false)));
  });
}

/** SIPp as a UAS with test/sipp/<name>.xml, for one call (-m 1); resolves once it listens. */
export async function startSippUas(scenario: string, extraArgs: string[] = []): Promise<SippUas> {
  // As in runSipp: a port found free can be taken before SIPp binds it; then try fresh ports.
  for (let attempt = 1; ; attempt++) {
    const uas = await startSippUasOnce(scenario, extraArgs);
    if (attempt >= 3 || !uas.exited) return uas;
    const r = await uas.done;
    if (r.code === 0 || !/bind|address already in use/i.test(r.stderr)) return uas;
  }
}

async function startSippUasOnce(scenario: string, extraArgs: string[]): Promise<SippUas & { exited: boolean }> {
  const port = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const cwd = mkdtempSync(path.join(tmpdir(), "ivr-sipp-uas-"));
  const args = [
    "-sf", path.join(SCENARIOS, `${scenario}.xml`), "-m", "1", "-timeout", "15s", "-timeout_error",
    "-i", "127.0.0.1", "-p", String(port), "-mp", String(mediaPort), "-nostdin", ...extraArgs,
  ];
  const started = Date.now();
  const child = spawn(SIPP, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => { stdout += d; });
  child.stderr.on("data", (d) => { stderr += d; });
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const done = new Promise<SippResult>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(killer);
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, stdout: stdout.slice(-4000), stderr: stderr.slice(-4000), ms: Date.now() - started });
    });
    child.on("error", (err) => {
      clearTimeout(killer);
      resolve({ code: -1, stdout, stderr: String(err), ms: Date.now() - started });
    });
  });
  for (let i = 0; i < 250 && child.exitCode === null && !(await portTaken(port)); i++) await new Promise((r) => setTimeout(r, 20));
  // Taken may mean taken by another process: SIPp then exits within milliseconds.
  const exited = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
  return { port, done, kill: () => child.kill("SIGKILL"), exited };
}
