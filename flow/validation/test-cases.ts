// IVR1033 (warning): a test case the runner cannot run as written: it names a node the flow no
// longer has (deleted or renamed since the case was written), a clock it cannot pin, a cause
// FreeSWITCH lacks. The schema's own rules refuse a document outright; these only need the flow,
// so a stale case shows in Problems (and in `ivr validate`) before anyone runs it.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { checkTestCase } from "../test-case-check";
import { quote, type ValidationContext } from "./context";

/** Issues reported per case at most (the case editor shows them all, at their fields). */
const PER_CASE = 3;

export function checkTestCases(ctx: ValidationContext): void {
  const tests = Array.isArray(ctx.flow.tests) ? ctx.flow.tests : [];
  if (tests.length === 0) return;
  const nodeIds = new Set(ctx.byId.keys());
  for (const tc of tests) {
    const { issues } = checkTestCase(tc, { nodeIds });
    for (const issue of issues.slice(0, PER_CASE)) {
      ctx.out.push({
        code: C.TEST_CASE_PROBLEM,
        severity: "warning",
        message: `Test case ${quote(tc.name, 80)}${issue.field ? ` (${issue.field})` : ""}: ${issue.message}`,
      });
    }
  }
}
