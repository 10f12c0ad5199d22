// Where a flow's files may be: a flow is data written by editors, so the sound files it plays
// stay under the sounds folder and the recordings it writes under the recordings folder. This
// is the rule as written in the flow (the validator's IVR1021); the runtime checks the resolved
// path again at every playback and recording (runtime/file-policy.ts), since ${var} parts and
// sound_prefix are only known then. Pure string rules: the designer runs them too.

/** The named folders a flow's files live under. */
export type FileRoot = "sounds" | "recordings";

/** A file a node reads or writes, declared by its kind's catalog entry (`files`). */
export interface FileRef {
  /** Path inside params, e.g. "prompt". */
  param: string;
  path: string;
  root: FileRoot;
}

export const ROOT_WORDS: Record<FileRoot, string> = {
  sounds: "the sounds folder",
  recordings: "the recordings folder",
};

/** Playback sources that are not files (FreeSWITCH generates them). */
const GENERATED_SOURCE = /^(tone_stream|silence_stream):\/\//i;
/** Not files either: phrase macros and TTS strings. */
const NOT_A_FILE = /^(phrase|say):/;
const URL_LIKE = /^([a-z][a-z0-9+.-]*):\/\//i;
const FILE_STRING = "file_string://";

/** The parts of a file_string://a!b!c source, or the value itself. */
export function soundParts(value: string): string[] {
  return value.startsWith(FILE_STRING) ? value.slice(FILE_STRING.length).split("!") : [value];
}

/** Whether a sound source (one part) is a file at all, not a tone, silence, phrase or ${variable}. */
export function isSoundFile(part: string): boolean {
  const v = part.trim();
  return v !== "" && !GENERATED_SOURCE.test(v) && !NOT_A_FILE.test(v) && !v.includes("${");
}

/** Why `rel` climbs out of the folder it is relative to ("a/../../b"), or undefined. */
function climbsOut(rel: string): boolean {
  let depth = 0;
  for (const seg of rel.split("/")) {
    if (seg === "" || seg === ".") continue;
    depth += seg === ".." ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

function partProblem(part: string, root: FileRoot): string | undefined {
  const where = ROOT_WORDS[root];
  const url = URL_LIKE.exec(part);
  if (url) {
    return root === "sounds"
      ? `is a ${url[1]}:// source; a flow plays files under ${where}, tone_stream:// or silence_stream://`
      : `is a ${url[1]}:// address; a flow records to files under ${where}`;
  }
  if (part.startsWith("/")) {
    return root === "sounds"
      ? `is an absolute path; a flow's sound files are relative to ${where}`
      : `is an absolute path; a flow's recordings are relative to ${where} (e.g. voicemail/\${uuid}.wav)`;
  }
  if (climbsOut(part)) return `leaves ${where} with ".."`;
  return undefined;
}

/**
 * Why a path written in a flow would leave its root, or undefined when it stays inside.
 * Sound sources may be tone_stream://, silence_stream://, phrase:/say: strings, or
 * file_string:// lists whose every part follows the rule. "" is not checked (required-ness is
 * another rule).
 */
export function filePathProblem(value: string, root: FileRoot): string | undefined {
  if (value.trim() === "") return undefined;
  if (root === "recordings") return partProblem(value, root);
  if (GENERATED_SOURCE.test(value) || NOT_A_FILE.test(value)) return undefined;
  for (const part of soundParts(value)) {
    const p = part.trim();
    if (p === "" || GENERATED_SOURCE.test(p) || NOT_A_FILE.test(p)) continue;
    const problem = partProblem(p, root);
    if (problem) return value === part ? problem : `has a part ${JSON.stringify(p)} that ${problem}`;
  }
  return undefined;
}

/** Channel variables that say where files are: a flow may point them only inside their root. */
export const FOLDER_VARIABLES: Readonly<Record<string, { root: FileRoot; base: string }>> = {
  sound_prefix: { root: "sounds", base: "sounds_dir" },
  recordings_dir: { root: "recordings", base: "recordings_dir" },
};

/**
 * Why a flow may not set `name` to `value`, or undefined. `value` undefined: a value only known
 * at run time (digits, an HTTP field, a counter). FreeSWITCH reads prompts under sound_prefix
 * and the generated Record nodes write under recordings_dir, so either one pointing elsewhere
 * would take the flow's files out of their folders on FreeSWITCH (our runtime refuses anyway).
 */
export function folderVariableProblem(name: string, value: string | undefined): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(FOLDER_VARIABLES, name) ? FOLDER_VARIABLES[name] : undefined;
  if (!v) return undefined;
  const anchor = "${" + v.base + "}";
  const rule =
    `${name} decides where the flow's ${v.root === "sounds" ? "prompts are read" : "recordings are written"}; ` +
    `a flow sets it only to ${anchor} or a folder under it (e.g. ${anchor}/fr)`;
  if (value === undefined) return rule;
  const t = value.trim();
  if (t !== anchor && !t.startsWith(`${anchor}/`)) return rule;
  return climbsOut(t.slice(anchor.length)) ? rule : undefined;
}
