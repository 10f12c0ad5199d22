// Where things live on disk. The server runs with the project root as cwd (scripts/start.mjs);
// IVR_ROOT overrides it (tests, other working directories).
import path from "node:path";

// Every path below is runtime data (database, media, recordings, caches), chosen by the
// environment when the server starts, never a file the build should ship: the ignore comment
// keeps Next's file tracer from treating the unknown root as "the whole project".
export const projectRoot = (): string => path.resolve(/* turbopackIgnore: true */ process.env.IVR_ROOT ?? process.cwd());
export const migrationsDir = (): string => path.join(projectRoot(), "prisma", "migrations");
export const examplesDir = (): string => path.join(projectRoot(), "examples");
export const mediaDir = (): string => path.resolve(projectRoot(), process.env.IVR_MEDIA_DIR ?? "media");
/** Where flows record (IVR_RECORDINGS_DIR, default ./recordings): the runtime writes there, the Calls pages serve from there. */
export const recordingsDir = (): string => path.resolve(projectRoot(), process.env.IVR_RECORDINGS_DIR || "recordings");

/** PGlite data folder; "memory://" gives a throwaway in-memory database (tests). */
export function dataDir(): string {
  const dir = process.env.IVR_DATA_DIR;
  if (dir?.startsWith("memory://")) return dir;
  return dir ? path.resolve(projectRoot(), dir, "pglite") : path.join(projectRoot(), "data", "pglite");
}
