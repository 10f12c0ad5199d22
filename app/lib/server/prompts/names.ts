// Prompt names: what a flow plays as prompts/<name>.wav. One folder level only, a small
// alphabet, so that no name can leave the prompts folder or collide with the API's own paths.
import { invalid } from "../http";

export const PROMPTS_FOLDER = "prompts";
export const PROMPT_RATES = [8000, 16000] as const;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
/** Names the API uses for its own routes under /api/prompts/. */
const RESERVED = new Set(["file", "tts", "voices"]);

/** The name, or a 400 saying what is wrong with it. */
export function checkPromptName(raw: unknown): string {
  if (typeof raw !== "string" || !raw.trim()) throw invalid("name is required: letters, digits, _ and - (e.g. main_menu).");
  const name = raw.trim();
  if (name.includes("/") || name.includes("\\") || name.includes("..") || name.includes("\0")) {
    throw invalid(`The prompt name "${name.slice(0, 100)}" would leave the prompts folder: use letters, digits, _ and - only.`);
  }
  if (!NAME_RE.test(name)) throw invalid(`The prompt name "${name.slice(0, 100)}" is not allowed: 1-80 letters, digits, _ and -, starting with a letter or digit.`);
  if (RESERVED.has(name.toLowerCase())) throw invalid(`"${name}" is reserved; choose another prompt name.`);
  return name;
}

/** A default name from an uploaded file's name ("Main Menu (v2).mp3" -> "Main_Menu_v2"). */
export function nameFromFileName(fileName: string): string {
  const base = fileName.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^[_-]+|_+$/g, "");
  return base.slice(0, 80) || "prompt";
}

/** What flows write to play it. */
export const promptPath = (name: string) => `${PROMPTS_FOLDER}/${name}.wav`;

/** Where its WAV for `rate` lives, relative to the media folder (FreeSWITCH's rate-folder layout). */
export const promptFile = (name: string, rate: number) => `${PROMPTS_FOLDER}/${rate}/${name}.wav`;
