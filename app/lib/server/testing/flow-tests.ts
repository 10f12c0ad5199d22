// Running a flow's test cases for the API and the designer. The scripts are untrusted code, so
// they never run in the web server's process: each run is a child process (`ivr test --json`,
// the same runner as the CLI), where the TS scripts run in isolated-vm isolates and Lua in the
// runtime's sandbox, exactly as on calls. The child gets a time limit, a heap limit, no secrets
// in its environment, and the flow as a file; the run holds a sandbox slot (slots.ts) meanwhile.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FlowGraph } from "../../../../flow/graph";
import type { CaseResult, TestLanguage } from "../../../../runtime/testing/flow-tests";
import { ApiError } from "../http";
import { projectRoot } from "../paths";
import { acquireSlot } from "./slots";

export type { CaseResult, TestLanguage };

export interface TestRun {
  passed: number;
  failed: number;
  results: CaseResult[];
}

/** Real time a whole run may take (cases use virtual time; 200 cases of a slow flow stay far below). */
const RUN_TIMEOUT_MS = 120_000;
/** What the child may print (its JSON report) before it is stopped. */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/** Only what node and the runner need: no DATABASE_URL, no session secrets, no credentials. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: "production" };
  for (const k of ["PATH", "HOME", "TMPDIR", "LANG", "IVR_CLI_CACHE"]) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

/** Run the flow's cases (all, or `caseName`) in each language, in a child process. */
export async function runFlowTestsIsolated(
  flow: FlowGraph,
  options: { userId: string; languages?: readonly TestLanguage[]; caseName?: string; timeoutMs?: number },
): Promise<TestRun> {
  if (!flow.tests?.length) throw new ApiError(400, "invalid", "The flow has no test cases.");
  if (options.caseName !== undefined && !flow.tests.some((c) => c.name === options.caseName)) {
    throw new ApiError(400, "invalid", `There is no test case named "${options.caseName}".`);
  }
  const slot = acquireSlot(options.userId);
  if (!slot.ok) throw new ApiError(429, "too_many", slot.reason);
  const dir = await mkdtemp(path.join(tmpdir(), "ivr-test-run-"));
  try {
    const file = path.join(dir, "flow.json");
    await writeFile(file, JSON.stringify(flow));
    const args = ["--max-old-space-size=512", path.join(projectRoot(), "cli", "ivr.mjs"), "test", file, "--json"];
    if (options.languages?.length === 1) args.push("--lang", options.languages[0]);
    if (options.caseName !== undefined) args.push("--case", options.caseName);
    const { code, stdout, stderr, timedOut } = await runChild(args, options.timeoutMs ?? RUN_TIMEOUT_MS);
    if (timedOut) throw new ApiError(503, "unavailable", `The test run did not finish within ${Math.round((options.timeoutMs ?? RUN_TIMEOUT_MS) / 1000)} s and was stopped.`);
    if (code === 0 || code === 1) {
      const report = JSON.parse(stdout) as TestRun;
      return { passed: report.passed, failed: report.failed, results: report.results };
    }
    // Exit 2: the runner refused the flow (its own errors are one line each on stderr).
    const message = stderr.split("\n").map((l) => l.replace(/^ivr: /, "").replace(`${file}: `, "")).filter(Boolean).slice(0, 5).join("; ");
    if (code === 2) throw new ApiError(400, "invalid", message || "The flow cannot be tested.");
    throw new ApiError(500, "internal", `The test runner failed (exit ${code}): ${message || "no message"}`);
  } finally {
    slot.release();
    await rm(dir, { recursive: true, force: true });
  }
}

function runChild(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot(), env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const take = (into: Buffer[]) => (d: Buffer) => {
      size += d.length;
      if (size > MAX_OUTPUT_BYTES) child.kill("SIGKILL");
      else into.push(d);
    };
    child.stdout.on("data", take(out));
    child.stderr.on("data", take(err));
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), timedOut });
    });
  });
}
