// switch_ivr_say for this runtime: which say module a call speaks with, and the file sequence
// it composes. FreeSWITCH picks the language from "module:lang", else the channel's `language`,
// else `default_language`, else the module name; only English (mod_say_en) ships here.
import { sayEnglish, sayMethodByName, sayTypeByName, toFileString, type SayResult } from "./en";
import type { Zone } from "./time";

export { toFileString } from "./en";

export interface SayRequest {
  text: string;
  module: string;
  type: string;
  method: string;
  /** Channel variables: language, default_language, timezone. */
  getVar: (name: string) => string | undefined;
  /** The session's clock, epoch ms. */
  now: number;
  /** The server's zone; default: the process's (TZ). */
  localZone?: Zone;
}

export type SayOutcome = ({ ok: true; language: string } & SayResult) | { ok: false; error: string };

/** The process's own zone, as switch_time_exp_lt uses it. */
export function processZone(): Zone {
  return { name: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC" };
}

/** The language a say() call resolves to (switch_ivr_say's chan_lang). */
export function sayLanguage(module: string, getVar: (name: string) => string | undefined): string {
  const m = module || "en";
  const colon = m.indexOf(":");
  if (colon >= 0) return m.slice(colon + 1);
  return getVar("language") ?? getVar("default_language") ?? m;
}

/** English say modules answer for "en" and its regional variants (en-US, en_GB...). */
function isEnglish(language: string): boolean {
  return /^en([-_][a-z0-9]+)*$/i.test(language);
}

export function composeSay(req: SayRequest): SayOutcome {
  const language = sayLanguage(req.module, req.getVar);
  if (!isEnglish(language)) return { ok: false, error: `Invalid SAY Interface [${language}]!` };
  const r = sayEnglish(req.text, sayTypeByName(req.type), sayMethodByName(req.method), {
    now: req.now,
    localZone: req.localZone ?? processZone(),
    timezone: req.getVar("timezone"),
  });
  return { ok: true, language, ...r };
}

/** The playable source for a composed sequence ("" when there is nothing to say). */
export function sayPlayback(files: string[]): string {
  return files.length ? toFileString(files) : "";
}
