// Where things live on disk. The server runs with the project root as cwd (scripts/start.mjs);
// IVR_ROOT overrides it (tests, other working directories).
import path from "node:path";

export const projectRoot = (): string => path.resolve(process.env.IVR_ROOT ?? process.cwd());
export const migrationsDir = (): string => path.join(projectRoot(), "prisma", "migrations");
export const examplesDir = (): string => path.join(projectRoot(), "examples");
export const mediaDir = (): string => path.resolve(projectRoot(), process.env.IVR_MEDIA_DIR ?? "media");

/** PGlite data folder; "memory://" gives a throwaway in-memory database (tests). */
export function dataDir(): string {
  const dir = process.env.IVR_DATA_DIR;
  if (dir?.startsWith("memory://")) return dir;
  return dir ? path.resolve(projectRoot(), dir, "pglite") : path.join(projectRoot(), "data", "pglite");
}
