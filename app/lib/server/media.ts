// The media folder (IVR_MEDIA_DIR, default ./media): audio prompts the flows refer to by relative path.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { mediaDir } from "./paths";

export const AUDIO_EXTENSIONS = [".wav", ".mp3", ".ogg", ".flac", ".gsm", ".ulaw", ".alaw"];
const MAX_FILES = 5000;

export interface MediaFile {
  /** Relative to the media folder, forward slashes. */
  path: string;
  size: number;
}

export function listAudioFiles(root = mediaDir()): MediaFile[] {
  const files: MediaFile[] = [];
  if (!existsSync(root)) return files;
  const walk = (dir: string, depth: number) => {
    if (depth > 12 || files.length >= MAX_FILES) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, depth + 1);
      else if (entry.isFile() && AUDIO_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
        files.push({ path: path.relative(root, full).split(path.sep).join("/"), size: statSync(full).size });
      }
    }
  };
  walk(root, 0);
  return files;
}

/** Read a prompt by its flow-relative path, refusing anything that escapes the media folder. */
export function readPrompt(relative: string, root = mediaDir()): Buffer | undefined {
  if (!relative || relative.includes("\0") || path.isAbsolute(relative)) return undefined;
  const full = path.resolve(root, relative);
  if (!full.startsWith(path.resolve(root) + path.sep)) return undefined;
  if (!existsSync(full) || !statSync(full).isFile()) return undefined;
  return readFileSync(full);
}
