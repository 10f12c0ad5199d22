// Argument parsing on top of node:util parseArgs, with its errors turned into one short line.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError } from "./errors";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandArgs(command: string, argv: string[], options: OptionSpec): ParsedArgs {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as ParsedArgs["values"], positionals: r.positionals };
  } catch (e) {
    const err = e as Error & { code?: string };
    const name = /'(-[^']*)'/.exec(err.message)?.[1] ?? "";
    const hint = `(see: ivr help ${command})`;
    switch (err.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        throw new CliError(`unknown option ${name} for '${command}' ${hint}`);
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        throw new CliError(`option ${optionName(name)} ${/argument missing/.test(err.message) ? "needs a value" : "takes no value"} ${hint}`);
      default:
        throw new CliError(`${err.message.split("\n")[0]} ${hint}`);
    }
  }
}

function optionName(raw: string): string {
  // parseArgs writes "-o, --out <value>"; keep the long form.
  return /--[\w-]+/.exec(raw)?.[0] ?? raw;
}

/** Exactly one positional argument (the flow file). */
export function oneFile(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new CliError(`'${command}' needs a flow file (see: ivr help ${command})`);
  if (positionals.length > 1) throw new CliError(`'${command}' takes one flow file, got ${positionals.length}: ${positionals.join(" ")}`);
  return positionals[0];
}

/** A whole number option, or undefined if absent. */
export function intOption(name: string, value: string | boolean | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (!/^\d+$/.test(s) || Number(s) < min) throw new CliError(`--${name} must be a whole number${min ? ` ≥ ${min}` : ""}, got '${s}'`);
  return Number(s);
}
