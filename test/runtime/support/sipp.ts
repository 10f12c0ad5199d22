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
  // A port found free can be taken before SIPp binds it (test files run side by side): SIPp then
  // stops at once without sending anything. Try again on fresh ports, as runSipp does.
  for (let attempt = 1; ; attempt++) {
    const r = await sippOnce(scenarioFile, targetPort, service, extra, killAfterMs);
    if (attempt >= 3 || r.code === 0 || !/bind|address already in use/i.test(r.stderr) || r.ms > 3000) return r;
  }
}

async function sippOnce(scenarioFile: string, targetPort: number, service: string, extra: string[], killAfterMs: number): Promise<SippRun> {
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
