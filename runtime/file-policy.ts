// Which files a call's script may play and record. A route built from a flow (designer or
// `ivr serve --route N=flow.json`) runs editors' data: its files stay under named roots, the
// sounds folder(s) for playback and the recordings folder for recording (and playing back what
// was recorded). A script the operator installed by hand is trusted as FreeSWITCH trusts its
// scripts dir, unless `ivr serve --confine` holds it to the same roots. CallMedia asks this
// policy before every playback and recording, for Lua and TS scripts alike.
import path from "node:path";

/** "confined": only under the roots; "trusted": any path (FreeSWITCH's own behaviour). */
export type FileAccess = "confined" | "trusted";

export interface FileRoots {
  /** Folders prompts are read from (the sounds folder). */
  sounds: readonly string[];
  /** The folder recordings are written to; also readable (playing a recording back). */
  recordings: string;
}

export type FileVerdict = { ok: true } | { ok: false; rule: string };

const OK: FileVerdict = { ok: true };

/** Whether absolute `target` is `root` itself or inside it (lexically, after normalising ".."). */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

export class FilePolicy {
  readonly roots: FileRoots;

  constructor(
    readonly access: FileAccess,
    roots: FileRoots,
    /** Files the runtime made itself for this call (TTS output): always playable. */
    private readonly own: ReadonlySet<string> = new Set(),
  ) {
    this.roots = { sounds: roots.sounds.map((r) => path.resolve(r)), recordings: path.resolve(roots.recordings) };
  }

  /** May the script play `file` (an absolute path, after sound_prefix)? */
  canRead(file: string): FileVerdict {
    if (this.access === "trusted") return OK;
    if (file.includes("\0")) return { ok: false, rule: "a file name cannot contain a NUL character" };
    if (!path.isAbsolute(file)) return { ok: false, rule: `a flow plays files under ${this.readRootsText()}, tone_stream:// or silence_stream://` };
    if (this.own.has(file)) return OK;
    if ([...this.roots.sounds, this.roots.recordings].some((root) => isInside(root, file))) return OK;
    return { ok: false, rule: `a flow plays files only under ${this.readRootsText()}` };
  }

  /** May the script record to `file` (an absolute path)? */
  canWrite(file: string): FileVerdict {
    if (this.access === "trusted") return OK;
    if (file.includes("\0")) return { ok: false, rule: "a file name cannot contain a NUL character" };
    if (path.isAbsolute(file) && isInside(this.roots.recordings, file) && path.resolve(file) !== this.roots.recordings) return OK;
    return { ok: false, rule: `a flow records only under the recordings folder ${this.roots.recordings}` };
  }

  private readRootsText(): string {
    const sounds = this.roots.sounds.map((r) => `the sounds folder ${r}`).join(", ");
    return `${sounds}${sounds ? " or " : ""}the recordings folder ${this.roots.recordings}`;
  }
}
