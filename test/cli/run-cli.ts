// Runs the real `ivr` launcher as a child process, the way a user does.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const IVR = fileURLToPath(new URL("../../cli/ivr.mjs", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runIvr(args: string[], cwd = REPO): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [IVR, ...args], { cwd, timeout: 20_000, env: { ...process.env, IVR_DEBUG: "" } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** An error report is one line on stderr, prefixed `ivr:`, with no stack trace. */
export function expectOneErrorLine(r: CliResult): string {
  const lines = r.stderr.trimEnd().split("\n");
  if (lines.length !== 1 || !lines[0].startsWith("ivr: ") || /\bat .+:\d+:\d+/.test(r.stderr)) {
    throw new Error(`expected one 'ivr:' line on stderr, got:\n${r.stderr}`);
  }
  return lines[0];
}
