// ivr test FLOW.json [--case NAME] [--lang lua|ts] [--json]
// Runs the flow's test cases (its `tests`) on the runtime's session semantics: one line per
// case, the first divergence named. Exit 0 all pass, 1 any fails, 2 bad input.
import { hasErrors, validate } from "../../flow";
import { runFlowTests, type CaseResult, type TestLanguage } from "../../runtime/testing/flow-tests";
import { oneFile, parseCommandArgs } from "../args";
import { formatDiagnostic } from "../diagnostics-format";
import { CliError, EXIT } from "../errors";
import { readFlowFile } from "../load-flow";
import type { Output } from "../output";

export async function runTest(argv: string[], io: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs("test", argv, {
    case: { type: "string" },
    lang: { type: "string" },
    json: { type: "boolean" },
  });
  const file = oneFile("test", positionals);
  const lang = values.lang as string | undefined;
  if (lang !== undefined && lang !== "lua" && lang !== "ts") throw new CliError(`--lang must be lua or ts, got '${lang}'`);
  const languages: TestLanguage[] = lang ? [lang] : ["lua", "ts"];
  const flow = readFlowFile(file);
  const diagnostics = validate(flow, { authorIsAdmin: true });
  if (hasErrors(diagnostics)) {
    for (const d of diagnostics) if (d.severity === "error") io.err(formatDiagnostic(file, d));
    throw new CliError(`${file}: the flow has errors; fix them before testing (ivr validate ${file})`);
  }
  const caseName = values.case as string | undefined;
  if (!flow.tests?.length) throw new CliError(`${file}: the flow has no test cases (add them under "tests")`);
  if (caseName !== undefined && !flow.tests.some((c) => c.name === caseName)) {
    throw new CliError(`${file}: no test case named "${caseName}" (cases: ${flow.tests.map((c) => c.name).join(", ")})`);
  }
  const tag = (r: CaseResult) => (languages.length > 1 ? `[${r.language}] ` : "");
  const results = await runFlowTests(flow, {
    languages,
    caseName,
    onResult: values.json ? undefined : (r) => io.out(r.passed ? `PASS ${tag(r)}${r.name}` : `FAIL ${tag(r)}${r.name}: ${r.failure}`),
  });
  const failed = results.filter((r) => !r.passed).length;
  if (values.json) io.out(JSON.stringify({ file, passed: results.length - failed, failed, results }, null, 2));
  else io.out(`${file}: ${results.length - failed} passed, ${failed} failed`);
  return failed ? EXIT.FLOW_ERRORS : EXIT.OK;
}
