// A starter sound set, spoken by flite at first start instead of downloaded: the FreeSWITCH
// sound-file names the examples and the node forms use, and the digits/, currency/, time/ and
// ascii/ files that `say` composes, so every example speaks out of the box. The files go into
// the sounds root in FreeSWITCH's layout (ivr/8000/ivr-welcome.wav, ivr/16000/...), which the
// runtime looks up like FreeSWITCH does (the rate folder first). Files already there are never
// touched: drop FreeSWITCH's real sound packs in and they win.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { rateFolderPath } from "../media/sources";

export interface StarterSound {
  /** As a flow names it: "ivr/ivr-welcome.wav" (the rate folders are added on disk). */
  file: string;
  /** What flite says. */
  text: string;
}

export const STARTER_RATES = [8000, 16000] as const;
/** flite's voice (16 kHz, so the 16000/ files are not upsampled). */
export const STARTER_VOICE = "slt";

const ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
  "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ORDINALS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"];
const TENS_ORDINALS = ["", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** ascii/<code>.wav: what the characters that say's name_spelled/telephone_number reach are called. */
const ASCII_NAMES: Record<string, string> = {
  " ": "space", "!": "exclamation point", '"': "double quote", "#": "pound", $: "dollar sign", "%": "percent",
  "&": "ampersand", "'": "single quote", "(": "open parenthesis", ")": "close parenthesis", "*": "star", "+": "plus",
  ",": "comma", "-": "dash", ".": "dot", "/": "slash", ":": "colon", ";": "semicolon", "<": "less than", "=": "equals",
  ">": "greater than", "?": "question mark", "@": "at", "[": "open bracket", "\\": "backslash", "]": "close bracket",
  "^": "caret", _: "underscore", "`": "back quote", "{": "open brace", "|": "pipe", "}": "close brace", "~": "tilde",
};

function sayFiles(): StarterSound[] {
  const out: StarterSound[] = [];
  const add = (file: string, text: string) => out.push({ file: `${file}.wav`, text });
  ONES.forEach((w, n) => add(`digits/${n}`, w));
  for (let t = 2; t <= 9; t++) add(`digits/${t}0`, TENS[t]);
  for (let n = 1; n <= 19; n++) add(`digits/h-${n}`, ORDINALS[n]);
  for (let t = 2; t <= 9; t++) add(`digits/h-${t}0`, TENS_ORDINALS[t]);
  for (const w of ["hundred", "thousand", "million", "dot", "point", "pound", "star", "period"]) add(`digits/${w}`, w);
  for (const [f, w] of [["and", "and"], ["cent", "cent"], ["cents", "cents"], ["dollar", "dollar"], ["dollars", "dollars"],
    ["negative", "negative"], ["minus", "minus"]]) add(`currency/${f}`, w);
  DAYS.forEach((d, i) => add(`time/day-${i}`, d));
  MONTHS.forEach((m, i) => add(`time/mon-${i}`, m));
  for (const [f, w] of [["a-m", "A.M."], ["p-m", "P.M."], ["at", "at"], ["hour", "hour"], ["hours", "hours"],
    ["minute", "minute"], ["minutes", "minutes"], ["second", "second"], ["seconds", "seconds"], ["oclock", "o'clock"],
    ["oh", "oh"], ["today", "today"], ["tomorrow", "tomorrow"], ["yesterday", "yesterday"]]) add(`time/${f}`, w);
  for (let c = 97; c <= 122; c++) add(`ascii/${c}`, String.fromCharCode(c).toUpperCase());
  for (const [ch, name] of Object.entries(ASCII_NAMES)) add(`ascii/${ch.charCodeAt(0)}`, name);
  return out;
}

/** The FreeSWITCH prompts the examples and forms name, with the words of the real recordings. */
const PROMPTS: StarterSound[] = [
  ["ivr/ivr-welcome.wav", "Welcome."],
  ["ivr/ivr-welcome_to_freeswitch.wav", "Welcome to FreeSWITCH, the future of telephony."],
  ["ivr/ivr-that_was_an_invalid_entry.wav", "That was an invalid entry."],
  ["ivr/ivr-hold_connect_call.wav", "Please hold while I connect your call."],
  ["ivr/ivr-thank_you_for_calling.wav", "Thank you for calling."],
  ["ivr/ivr-thank_you.wav", "Thank you."],
  ["ivr/ivr-call_being_transferred.wav", "Your call is being transferred."],
  ["ivr/ivr-user_busy.wav", "User busy."],
  ["ivr/ivr-please_try_again.wav", "Please try again."],
  ["ivr/ivr-please_enter_extension_followed_by_pound.wav", "Please enter your extension, followed by the pound sign."],
  ["ivr/ivr-please_enter_pin_followed_by_pound.wav", "Please enter your pin number, followed by the pound sign."],
  ["ivr/ivr-invalid_extension_try_again.wav", "Invalid extension. Please try again."],
  ["ivr/ivr-you_entered.wav", "You entered"],
  ["ivr/ivr-no_user_response.wav", "No user response."],
  ["voicemail/vm-goodbye.wav", "Goodbye."],
  ["voicemail/vm-not_available.wav", "is not available."],
  ["voicemail/vm-press.wav", "Press"],
  ["voicemail/vm-record_message.wav", "Record your message at the tone. Press any key or stop talking to end the recording."],
  ["voicemail/vm-listen_to_recording.wav", "to listen to the recording"],
  ["voicemail/vm-save_recording.wav", "to save the recording"],
  ["voicemail/vm-rerecord.wav", "to re-record"],
  ["voicemail/vm-saved.wav", "Saved."],
  // The examples' own menus (examples/*.json), so they speak too.
  ["prompts/acme/main_menu.wav", "For sales, press 1. For support, press 2. For the status of an order, press 3."],
  ["prompts/acme/open_menu.wav", "We are open. For sales, press 1. For support, press 2."],
  ["prompts/acme/sales_menu.wav", "Sales. Please hold while we connect you to the sales team."],
  ["prompts/acme/support_menu.wav", "Support. Please hold while we connect you to a support engineer."],
  ["prompts/acme/order_status_menu.wav", "Please enter your order number, followed by the pound sign."],
].map(([file, text]) => ({ file, text }));

export const STARTER_SOUNDS: readonly StarterSound[] = [...PROMPTS, ...sayFiles()];

export interface StarterSoundsOptions {
  fliteBinary?: string;
  ffmpegBinary?: string;
  /** Parallel flite runs; default the machine's cores. */
  concurrency?: number;
  /** The sounds to make; default STARTER_SOUNDS. */
  sounds?: readonly StarterSound[];
  /** Stops the work (server shutdown): running flite/ffmpeg processes are killed, nothing half-written stays. */
  signal?: AbortSignal;
}

/** IVR_STARTER_SOUNDS=0 (or off/false/no) turns the starter sounds off (tests, read-only sound folders). */
export function starterSoundsEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return !["0", "off", "false", "no"].includes((env.IVR_STARTER_SOUNDS ?? "").trim().toLowerCase());
}

export interface StarterSoundsResult {
  /** Sounds written now. */
  made: number;
  /** Sounds already there at both rates. */
  present: number;
  failed: Array<{ file: string; reason: string }>;
  ms: number;
}

/** The sounds of `sounds` missing at one rate or more under `root`. */
export function missingStarterSounds(root: string, sounds: readonly StarterSound[] = STARTER_SOUNDS): StarterSound[] {
  return sounds.filter((s) => STARTER_RATES.some((r) => !existsSync(path.join(root, rateFolderPath(s.file, r)))));
}

function run(bin: string, args: string[], signal: AbortSignal | undefined, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) =>
    // Arguments, never a shell: the texts cannot inject anything.
    execFile(bin, args, { timeout: timeoutMs, signal }, (err, _out, stderr) =>
      err ? reject(new Error(`${path.basename(bin)}: ${String(stderr || err.message).trim().split("\n").pop()}`)) : resolve(),
    ),
  );
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
}

/** flite pads its speech with ~0.2 s of silence; trimmed, sequences from say run at a natural pace. */
const TRIM = "silenceremove=start_periods=1:start_silence=0.02:start_threshold=-55dB,areverse," +
  "silenceremove=start_periods=1:start_silence=0.06:start_threshold=-55dB,areverse";

/**
 * Speaks every missing starter sound into `root` at 8 and 16 kHz (mono 16-bit WAV): flite runs
 * in parallel into a private temporary folder, then one ffmpeg process per batch trims and
 * writes both rates. Each file is written under a temporary name and renamed, so a crash leaves
 * no half file and a rerun finishes the job; a file already present is never rewritten.
 */
export async function makeStarterSounds(root: string, options: StarterSoundsOptions = {}): Promise<StarterSoundsResult> {
  const t0 = performance.now();
  const all = options.sounds ?? STARTER_SOUNDS;
  const missing = missingStarterSounds(root, all);
  const failed: StarterSoundsResult["failed"] = [];
  const width = options.concurrency ?? os.availableParallelism();
  if (missing.length === 0) return { made: 0, present: all.length, failed, ms: Math.round(performance.now() - t0) };
  const work = await mkdtemp(path.join(os.tmpdir(), "ivr-starter-sounds-"));
  const tag = `${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    const spoken: Array<{ sound: StarterSound; raw: string }> = [];
    await pool(missing.map((sound, i) => ({ sound, i })), width, async ({ sound, i }) => {
      const raw = path.join(work, `${i}.wav`);
      try {
        await run(options.fliteBinary ?? "flite", ["-voice", STARTER_VOICE, "-t", sound.text, "-o", raw], options.signal);
        spoken.push({ sound, raw });
      } catch (e) {
        failed.push({ file: sound.file, reason: (e as Error).message });
      }
    }, options.signal);

    const batches: (typeof spoken)[] = [];
    for (let i = 0; i < spoken.length; i += 40) batches.push(spoken.slice(i, i + 40));
    await pool(batches, width, async (batch) => {
      const outs = batch.flatMap(({ sound }, input) =>
        STARTER_RATES.map((rate) => {
          const file = path.join(root, rateFolderPath(sound.file, rate));
          return { sound, input, rate, file, tmp: `${file}.${tag}.tmp.wav` };
        }).filter((o) => !existsSync(o.file)),
      );
      try {
        await Promise.all(outs.map((o) => mkdir(path.dirname(o.file), { recursive: true })));
        const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"];
        for (const { raw } of batch) args.push("-i", raw);
        for (const o of outs) {
          args.push("-map", `${o.input}:a`, "-af", TRIM, "-ac", "1", "-ar", String(o.rate), "-c:a", "pcm_s16le");
          args.push("-map_metadata", "-1", "-bitexact", "-f", "wav", o.tmp);
        }
        await run(options.ffmpegBinary ?? "ffmpeg", args, options.signal, 120_000);
        for (const o of outs) await rename(o.tmp, o.file);
      } catch (e) {
        for (const { sound } of batch) failed.push({ file: sound.file, reason: (e as Error).message });
      } finally {
        await Promise.all(outs.map((o) => rm(o.tmp, { force: true })));
      }
    }, options.signal);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const made = missing.filter((s) => STARTER_RATES.every((r) => existsSync(path.join(root, rateFolderPath(s.file, r)))));
  return {
    made: made.length,
    present: all.length - missing.length,
    failed,
    ms: Math.round(performance.now() - t0),
  };
}

/**
 * For `npm start` and `ivr serve`: make the missing starter sounds in the background, with one
 * line saying so (nothing at all when the set is complete). Never throws.
 */
export function ensureStarterSounds(root: string, log: (line: string) => void, options: StarterSoundsOptions = {}): Promise<StarterSoundsResult | undefined> {
  const missing = missingStarterSounds(root, options.sounds ?? STARTER_SOUNDS);
  if (missing.length === 0) return Promise.resolve(undefined);
  log(`Speaking ${missing.length} starter sounds with flite into ${root} (FreeSWITCH's sound packs dropped in there replace them)`);
  return makeStarterSounds(root, options).then(
    (r) => {
      if (options.signal?.aborted) return r;
      if (r.failed.length) log(`Starter sounds: ${r.failed.length} could not be made, e.g. ${r.failed[0].file}: ${r.failed[0].reason}`);
      return r;
    },
    (e) => {
      log(`Starter sounds could not be made: ${(e as Error).message}`);
      return undefined;
    },
  );
}
