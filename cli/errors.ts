// Errors the CLI reports as one line on stderr (never a stack trace).

/** Exit codes: 0 fine, 1 the flow has errors, 2 bad input or usage, 70 a bug in ivr itself. */
export const EXIT = { OK: 0, FLOW_ERRORS: 1, USAGE: 2, INTERNAL: 70 } as const;

/** Bad input or usage: message is shown as `ivr: <message>`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** One line, whatever the underlying message looks like. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
