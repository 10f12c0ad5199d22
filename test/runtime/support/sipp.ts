// Runs one SIPp call (a scenario file path) against the IVR on 127.0.0.1; never throws.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freeUdpPort, hasSipp } from "../../sip/sipp-harness";

export { hasSipp };

export interface SippRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export async function sipp(scenarioFile: string, targetPort: number, service: string, extra: string[] = [], killAfterMs = 15_000): Promise<SippRun> {
  const [localPort, mediaPort] = [await freeUdpPort(), await freeUdpPort()];
  const cwd = mkdtempSync(path.join(tmpdir(), "ivr-rt-sipp-"));
  const args = [
    `127.0.0.1:${targetPort}`, "-sf", scenarioFile, "-m", "1", "-l", "1", "-i", "127.0.0.1",
    "-p", String(localPort), "-mp", String(mediaPort), "-s", service, "-nostdin",
    "-timeout", "12s", "-timeout_error", "-recv_timeout", "8000", "-nd", ...extra,
  ];
  const started = Date.now();
  try {
    return await new Promise<SippRun>((resolve) => {
      const child = spawn("sipp", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      child.on("close", (code) => {
        clearTimeout(killer);
        resolve({ code, stdout: stdout.slice(-3000), stderr: stderr.slice(-3000), ms: Date.now() - started });
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

export const explain = (r: SippRun) => `sipp exit ${r.code} after ${r.ms} ms\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout.slice(-1500)}`;
