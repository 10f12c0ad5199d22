// Finding the prompt files a flow plays on the local disk, to copy them into an export bundle.
import { statSync } from "node:fs";
import { isAbsolute, join, normalize, sep } from "node:path";

export type PromptLookup =
  | { prompt: string; status: "found"; source: string }
  | { prompt: string; status: "missing" }
  /** Absolute, outside the sound folder, or built at run time: cannot be bundled. */
  | { prompt: string; status: "not-bundlable"; reason: string };

/** A prompt path that can live under the bundle's sounds/ folder, or why not. */
export function bundlableReason(prompt: string): string | undefined {
  if (prompt.includes("${")) return "built from channel variables at run time";
  // tone_stream://, silence_stream://, http://, phrase:..., say:... (a 1-letter prefix is a Windows drive)
  if (/^[a-z][a-z0-9_+.-]+:/i.test(prompt)) return "a stream, URL or macro, not a file";
  if (isAbsolute(prompt) || /^[A-Za-z]:[\\/]/.test(prompt)) return "an absolute path on the server";
  const norm = normalize(prompt);
  if (norm === ".." || norm.startsWith(`..${sep}`) || norm.split(/[\\/]/).includes("..")) return "leaves the sound folder";
  return undefined;
}

export function findPrompt(prompt: string, searchDirs: readonly string[]): PromptLookup {
  const reason = bundlableReason(prompt);
  if (reason) return { prompt, status: "not-bundlable", reason };
  // The file as named, else FreeSWITCH's 8 kHz rate-folder copy (the prompt library's layout:
  // prompts/8000/x.wav for prompts/x.wav), which FreeSWITCH also plays when copied flat.
  const slash = prompt.lastIndexOf("/");
  const rated = slash < 0 ? `8000/${prompt}` : `${prompt.slice(0, slash)}/8000/${prompt.slice(slash + 1)}`;
  for (const rel of [prompt, rated]) {
    for (const dir of searchDirs) {
      const candidate = join(dir, rel);
      try {
        if (statSync(candidate).isFile()) return { prompt, status: "found", source: candidate };
      } catch {
        // not in this folder: try the next one
      }
    }
  }
  return { prompt, status: "missing" };
}

/** Folders FreeSWITCH's default sound set (en/us/callie) ships: prompts there need no recording. */
export const FREESWITCH_SOUND_FOLDERS = [
  "ascii", "base256", "conference", "currency", "digits", "directory", "ivr", "misc", "phonetic-ascii", "time",
  "voicemail", "zrtp",
];

export function isFreeSwitchSound(prompt: string): boolean {
  return FREESWITCH_SOUND_FOLDERS.includes(prompt.split("/")[0]);
}
