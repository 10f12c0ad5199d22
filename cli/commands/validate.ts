// ivr validate FLOW.json [--json] [--admin]
import { hasErrors, validate } from "../../flow";
import { oneFile, parseCommandArgs } from "../args";
import { formatDiagnostic, summarize } from "../diagnostics-format";
import { EXIT } from "../errors";
import { readFlowFile } from "../load-flow";
import type { Output } from "../output";

export function runValidate(argv: string[], io: Output): number {
  const { values, positionals } = parseCommandArgs("validate", argv, {
    json: { type: "boolean" },
    admin: { type: "boolean" },
  });
  const file = oneFile("validate", positionals);
  const flow = readFlowFile(file);
  const diagnostics = validate(flow, { authorIsAdmin: values.admin === true });
  if (values.json) {
    io.out(JSON.stringify(diagnostics, null, 2));
  } else {
    for (const d of diagnostics) io.out(formatDiagnostic(file, d));
    io.out(`${file}: ${summarize(diagnostics)}`);
  }
  return hasErrors(diagnostics) ? EXIT.FLOW_ERRORS : EXIT.OK;
}
