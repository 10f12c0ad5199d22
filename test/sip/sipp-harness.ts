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
  const localPort = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const cwd = mkdtempSync(path.join(tmpdir(), "ivr-sipp-"));
  const args = [
    `127.0.0.1:${targetPort}`, "-sf", path.join(SCENARIOS, `${scenario}.xml`), "-m", "1", "-l", "1",
    "-timeout", "10s", "-timeout_error", "-i", "127.0.0.1", "-p", String(localPort), "-mp", String(mediaPort),
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
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
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
